import { describe, expect, it } from 'vitest';
import { parseRegistration, registrationDigest, checkFilingNumber, isLoopbackHost } from '../../../adapters/registration/parse.js';
import { trustAnchorOf, adapterRegistrationOf } from '../../../adapters/registration/anchor.js';
import { createTrustState } from '../../../src/proofs/lightclient/state.js';
import { schemaRegistry } from '../../../src/schema/registry.js';
import { REGISTRATION_SCHEMA_ID } from '../../../adapters/registration/types.js';
import { bftDocument, evmDocument, identity } from './fixtures.js';
import { errOf } from '../../helpers/codes.js';

const partner = identity().did;
const mutate = (doc: object, fn: (d: any) => void): unknown => {
  const copy = JSON.parse(JSON.stringify(doc));
  fn(copy);
  return copy;
};

describe('registration document: valid documents', () => {
  it('the schema is loaded by the schema registry and tags the operator USCC', () => {
    expect(schemaRegistry().schemaIds()).toContain(REGISTRATION_SCHEMA_ID);
    expect(schemaRegistry().taggedFields(REGISTRATION_SCHEMA_ID)).toContainEqual({ pointer: '/platform/operatorUscc', identifier: 'uscc', personal: false });
  });

  it('parses BFT and EVM documents; the digest is order-independent (RFC 8785)', () => {
    const bft = bftDocument(partner);
    expect(parseRegistration(bft)).toEqual(bft);
    const evm = evmDocument(partner);
    expect(parseRegistration(evm).chainId).toBe('eip155:1337');
    const reordered = Object.fromEntries(Object.entries(evm).reverse());
    expect(registrationDigest(reordered as typeof evm)).toBe(registrationDigest(evm));
    expect(registrationDigest(evm)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the trust anchor builds a light-client TrustState of the kind the finality rule names', () => {
    const evm = evmDocument(partner);
    const anchor = trustAnchorOf(evm)!;
    expect(anchor.kind).toBe('evm-qbft');
    const state = createTrustState(anchor, 1_800_000_000);
    expect(state.checkpoint).toEqual({ height: 1000, hash: evm.trustAnchor!.header.hash, at: 1_800_000_000 });
    expect(state.validatorSets[0]!.set.members).toHaveLength(4);
    const bftAnchor = trustAnchorOf(bftDocument(partner))!;
    expect(bftAnchor.kind).toBe('bft-qc');
    expect(bftAnchor.validatorSet.totalWeight).toBe(2);
  });

  it('reduces to the adapters view (evm-event types listed as unsupported)', () => {
    const { registration, unsupported } = adapterRegistrationOf(evmDocument(partner));
    expect(registration.rpc).toEqual([{ url: 'https://evm.credit.example/rpc' }]);
    expect(Object.keys(registration.recordTypes)).toEqual(['dishonest-debtor']);
    expect(unsupported).toEqual(['debtor-listed']);
    expect(registration.finality).toEqual({ rule: 'qbft' });
  });

  it('depth-rule dev chains may omit the trust anchor; other rules may not', () => {
    const { trustAnchor: _, ...noAnchor } = evmDocument(partner, { finality: { rule: 'depth', confirmations: 2 } });
    expect(parseRegistration(noAnchor).trustAnchor).toBeUndefined();
    const { trustAnchor: __, ...qbftNoAnchor } = evmDocument(partner);
    expect(errOf(() => parseRegistration(qbftNoAnchor)).code).toBe('REGISTRATION_INVALID');
  });
});

describe('registration document: failures are REGISTRATION_INVALID naming the field', () => {
  const cases: [string, unknown, string, string?][] = [
    ['bad CAIP-2 (leading zero)', mutate(evmDocument(partner), (d) => { d.chainId = 'eip155:01'; }), '/chainId'],
    ['bad CAIP-2 (namespace)', mutate(evmDocument(partner), (d) => { d.chainId = 'cosmos:hub'; }), '/chainId'],
    ['CAIP-2 namespace of another kind', mutate(evmDocument(partner), (d) => { d.chainId = 'bft:x'; }), '/chainId'],
    ['bad USCC check character', mutate(evmDocument(partner), (d) => { d.platform.operatorUscc = `${d.platform.operatorUscc.slice(0, 17)}${d.platform.operatorUscc.endsWith('0') ? '1' : '0'}`; }), '/platform/operatorUscc', 'USCC_INVALID'],
    ['unknown schema id', mutate(evmDocument(partner), (d) => { d.recordTypes[0].schemaId = 'https://courtbridge.example/schemas/domain/credit/nope/v1'; }), '/recordTypes/0/schemaId', 'SCHEMA_UNKNOWN'],
    ['schema of another domain', mutate(evmDocument(partner), (d) => { d.recordTypes[0].schemaId = 'https://courtbridge.example/schemas/domain/market/enterprise-basic-info/v1'; }), '/recordTypes/0/schemaId'],
    ['http endpoint not on loopback', mutate(evmDocument(partner), (d) => { d.endpoints = ['http://rpc.example.com/']; }), '/endpoints/0'],
    ['http endpoint on a private address', mutate(evmDocument(partner), (d) => { d.endpoints = ['https://a.example/', 'http://10.0.0.1:8545/']; }), '/endpoints/1'],
    ['credentials in an endpoint', mutate(evmDocument(partner), (d) => { d.endpoints = ['https://user:pw@rpc.example/']; }), '/endpoints/0'],
    ['API key in an endpoint query', mutate(evmDocument(partner), (d) => { d.endpoints = ['https://rpc.example/?apikey=1'];}), '/endpoints/0'],
    ['ws endpoint for an EVM chain', mutate(evmDocument(partner), (d) => { d.endpoints = ['wss://rpc.example/']; }), '/endpoints/0'],
    ['too many endpoints', mutate(evmDocument(partner), (d) => { d.endpoints = Array.from({ length: 9 }, (_, i) => `https://r${i}.example/`); }), '/endpoints'],
    ['filing number shape', mutate(evmDocument(partner), (d) => { d.platform.filingNumber = '京ICP备12345678号'; }), '/platform/filingNumber'],
    ['filing number division outside its province', mutate(evmDocument(partner), (d) => { d.platform.filingNumber = '京网信备44030519206397170015号'; }), '/platform/filingNumber'],
    ['security level 6', mutate(evmDocument(partner), (d) => { d.platform.securityLevel = 6; }), '/platform/securityLevel'],
    ['unknown hash', mutate(evmDocument(partner), (d) => { d.platform.cryptoSuite.hash = ['md5']; }), '/platform/cryptoSuite/hash/0'],
    ['duplicate record type', mutate(evmDocument(partner), (d) => { d.recordTypes[1].name = d.recordTypes[0].name; }), '/recordTypes/1/name'],
    ['bft mapping on an EVM chain', mutate(evmDocument(partner), (d) => { d.recordTypes[0].mapping = { kind: 'bft-merkle', keyField: 'k' }; }), '/recordTypes/0/mapping/kind'],
    ['bad Solidity type', mutate(evmDocument(partner), (d) => { d.recordTypes[0].mapping.fields[0].type = 'uint7'; }), '/recordTypes/0/mapping/fields/0/type'],
    ['confirmations on qbft', mutate(evmDocument(partner), (d) => { d.finality = { rule: 'qbft', confirmations: 3 }; }), '/finality'],
    ['genesis anchor above height 0', mutate(bftDocument(partner), (d) => { d.trustAnchor.header.height = 5; }), '/trustAnchor/header/height'],
    ['EVM validator with a public key', mutate(evmDocument(partner), (d) => { d.trustAnchor.validatorSet.members[0] = { id: 'x', weight: 1, alg: 'Ed25519', publicKey: `0x${'11'.repeat(32)}` }; }), '/trustAnchor', 'TRUST_STATE_INVALID'],
    ['duplicate validator address', mutate(evmDocument(partner), (d) => { d.trustAnchor.validatorSet.members[1].address = d.trustAnchor.validatorSet.members[0].address; }), '/trustAnchor', 'TRUST_STATE_INVALID'],
    ['unknown top-level field', mutate(evmDocument(partner), (d) => { d.extra = 1; }), '/extra'],
    ['partner not a DID', mutate(evmDocument(partner), (d) => { d.partner = 'acme'; }), '/partner'],
    ['version 0', mutate(evmDocument(partner), (d) => { d.version = 0; }), '/version'],
  ];
  it.each(cases)('%s', (_name, doc, field, code) => {
    const e = errOf(() => parseRegistration(doc));
    expect(e.code).toBe('REGISTRATION_INVALID');
    expect(e.details.field).toBe(field);
    if (code) expect(e.details.code).toBe(code);
  });

  it('non-objects and huge inputs fail closed', () => {
    for (const v of [null, 'doc', 42, [], undefined]) expect(errOf(() => parseRegistration(v)).code).toBe('REGISTRATION_INVALID');
    const big = mutate(evmDocument(partner), (d) => { d.name = 'x'.repeat(1_000_000); });
    expect(errOf(() => parseRegistration(big)).details.field).toBe('/name');
  });
});

describe('filing numbers and loopback hosts', () => {
  it('accepts published-form numbers of several provinces', () => {
    for (const n of ['京网信备11010819194755230011号', '粤网信备44030524273626860016号', '浙网信备33010619201240680016号', '滇网信备53010219201240680016号']) expect(checkFilingNumber(n)).toBe(n);
  });
  it('rejects look-alikes', () => {
    for (const n of ['京网信备1101081919475523001号', '京网信备110108191947552300111号', '京网信备11010819194755230011', '京ICP备11010819194755230011号', 'X网信备11010819194755230011号', ' 京网信备11010819194755230011号', '京网信备１１010819194755230011号']) {
      expect(errOf(() => checkFilingNumber(n)).code).toBe('REGISTRATION_INVALID');
    }
  });
  it('loopback hosts', () => {
    expect(['localhost', '127.0.0.1', '127.8.9.10', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['localhost.example', '10.0.0.1', '0.0.0.0', '[::ffff:7f00:1]', '128.0.0.1'].some(isLoopbackHost)).toBe(false);
  });
});
