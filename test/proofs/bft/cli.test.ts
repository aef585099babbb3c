import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { memoryIo } from '../../../src/cli/io.js';
import { buildRecordsTree } from '../../../src/proofs/bft/build.js';
import { example, RECORDS } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cb-qc-'));
function file(name: string, content: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}

describe('courtbridge proof verify: quorum-certificate', () => {
  const { set, header, certificate } = example('sm3');
  const record = buildRecordsTree(RECORDS, 'sm3').proof(4);
  const valid = { type: 'quorum-certificate', header, validatorSet: set, certificate, record };

  it('valid: certificate with a record proof, and without', async () => {
    const io = memoryIo();
    const a = file('valid.json', valid);
    const b = file('valid-no-record.json', { ...valid, record: undefined });
    expect(await main(['proof', 'verify', a, b], io)).toBe(0);
    expect(io.stdout).toEqual([`${a}\tvalid`, `${b}\tvalid`]);
  });

  it('invalid: quorum not reached, wrong record, duplicate signer', async () => {
    const io = memoryIo();
    const a = file('quorum.json', { ...valid, certificate: { ...certificate, signatures: certificate.signatures.slice(0, 2) } });
    const b = file('record.json', { ...valid, record: { ...record, data: 'forged' } });
    const c = file('dup.json', { ...valid, certificate: { ...certificate, signatures: [...certificate.signatures, certificate.signatures[3]] } });
    expect(await main(['proof', 'verify', a, b, c], io)).toBe(1);
    expect(io.stdout).toEqual([`${a}\tinvalid\tQUORUM_NOT_REACHED`, `${b}\tinvalid\tINCLUSION_PROOF_INVALID`, `${c}\tinvalid\tDUPLICATE_SIGNER`]);
  });

  it('error: unknown field, malformed JSON, bad hex, unknown algorithm', async () => {
    const io = memoryIo();
    const a = file('unknown.json', { ...valid, comment: 'x' });
    const b = file('broken.json', '{"type":"quorum-certificate",');
    const c = file('hex.json', { ...valid, certificate: { ...certificate, headerHash: 'zz' } });
    const d = file('alg.json', { ...valid, header: { ...header, recordsHashAlg: 'md5' } });
    expect(await main(['proof', 'verify', a, b, c, d], io)).toBe(1);
    expect(io.stdout).toEqual([`${a}\terror\tINVALID_INPUT`, `${b}\terror\tMALFORMED_JSON`, `${c}\terror\tBAD_HEX`, `${d}\terror\tUNSUPPORTED_ALGORITHM`]);
  });
});
