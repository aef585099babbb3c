import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { buildRecordsTree } from '../../../src/proofs/bft/build.js';
import { example, RECORDS } from './helpers.js';

// The published schema and the verifier must agree on what a well-formed file is.
const schema = JSON.parse(readFileSync(new URL('../../../schemas/bft-quorum-certificate.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

describe('schemas/bft-quorum-certificate.json', () => {
  const { set, header, certificate } = example('sm3');
  const file = JSON.parse(JSON.stringify({ type: 'quorum-certificate', header, validatorSet: set, certificate, record: buildRecordsTree(RECORDS, 'sm3').proof(0) }));

  it('accepts a file the verifier accepts', () => {
    expect(validate(file), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects what the parser rejects: unknown fields, upper-case hex, unknown algorithms, short signatures', () => {
    expect(validate({ ...file, extra: 1 })).toBe(false);
    expect(validate({ ...file, header: { ...header, parentHash: header.parentHash.toUpperCase() } })).toBe(false);
    expect(validate({ ...file, header: { ...header, recordsHashAlg: 'keccak256' } })).toBe(false);
    expect(validate({ ...file, validatorSet: { validators: [{ ...set.validators[0], alg: 'ES256' }] } })).toBe(false);
    expect(validate({ ...file, certificate: { ...certificate, signatures: [{ validator: 0, signature: '0x00' }] } })).toBe(false);
  });
});
