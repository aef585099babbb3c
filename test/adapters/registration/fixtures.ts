/** Shared fixtures of the registration tests: did:key identities, valid registration documents, a ledger world. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../../src/crypto/signature.js';
import { toHex0x } from '../../../src/crypto/bytes.js';
import { orgCodeCheckChar, usccCheckChar } from '../../../src/ids/uscc.js';
import { JwtVerifier, type DocumentResolver } from '../../../did/jwt.js';
import { identity, type Identity } from '../../did/fixtures.js';
import { DidResolver } from '../../../did/resolver.js';
import type { DidDocument } from '../../../did/verification-method.js';
import type { LedgerHashAlg } from '../../../src/config.js';
import { Ledger } from '../../../src/ledger/ledger.js';
import { openStore } from '../../../src/ledger/store/open.js';
import { openRegistrationStore, type RegistrationStore } from '../../../adapters/registration/store.js';
import { RegistrationService } from '../../../adapters/registration/service.js';
import type { RegistrationDocument } from '../../../adapters/registration/types.js';

/** did:key identities: the same as the credential tests'. */
export { identity, type Identity } from '../../did/fixtures.js';

/**
 * A did:web identity (an Ed25519 Multikey under `assertionMethod`) and the DID document its host would serve: a partner
 * whose registration signature an offline verifier cannot check (it needs DID resolution).
 */
export function webIdentity(host = 'partner.example'): Identity & { doc: DidDocument } {
  const key = identity('Ed25519');
  const did = `did:web:${host}`;
  const kid = `${did}#key-1`;
  const doc: DidDocument = { id: did, verificationMethod: [{ id: kid, type: 'Multikey', controller: did, publicKeyMultibase: key.did.slice('did:key:'.length) }], assertionMethod: ['#key-1'] };
  return { kp: key.kp, did, kid, signer: { ...key.signer, kid }, doc };
}

/** Resolves the DIDs of `docs` from memory (no HTTP) and every other DID with the real `DidResolver`. */
export function localResolver(docs: readonly DidDocument[]): DocumentResolver {
  const local = new Map(docs.map((d) => [d.id, d]));
  const rest = new DidResolver();
  return { resolveDocument: async (did) => local.get(did) ?? rest.resolveDocument(did) };
}

/** A valid operator USCC (9 = 工商, 1 = 企业, Beijing Haidian), built with the GB 32100 / GB 11714 check characters. */
export function operatorUscc(body8 = 'MA01ABCD'): string {
  const first17 = `91110108${body8}${orgCodeCheckChar(body8)}`;
  return `${first17}${usccCheckChar(first17)}`;
}

const h32 = (n: number): string => `0x${n.toString(16).padStart(2, '0').repeat(32)}`;

/** A BFT partner chain (market supervision) with an Ed25519 + SM2 validator set. */
export function bftDocument(partner: string, over: Partial<RegistrationDocument> = {}): RegistrationDocument {
  const v1 = generateKeyPair('Ed25519');
  const v2 = generateKeyPair('SM2');
  return {
    type: 'courtbridge.adapter-registration',
    partner,
    chainId: 'bft:market-sup',
    version: 1,
    kind: 'bft',
    name: '某市市场监管链 / market supervision chain',
    endpoints: ['https://rpc1.market.example/', 'http://127.0.0.1:8545/'],
    finality: { rule: 'bft-qc' },
    trustAnchor: {
      type: 'genesis',
      trustingPeriod: 14 * 86_400,
      header: { height: 0, hash: h32(1), parentHash: h32(0), stateRoot: h32(2), timestamp: 1_700_000_000 },
      validatorSet: {
        members: [
          { id: 'v1', weight: 1, alg: 'Ed25519', publicKey: toHex0x(v1.publicKey) },
          { id: 'v2', weight: 1, alg: 'SM2', publicKey: toHex0x(v2.publicKey) },
        ],
      },
    },
    domain: 'market',
    recordTypes: [{ name: 'enterprise', schemaId: 'https://courtbridge.example/schemas/domain/market/enterprise-basic-info/v1', mapping: { kind: 'bft-merkle', keyField: 'uscc' } }],
    rateLimit: { requestsPerSecond: 20, burst: 40 },
    platform: {
      filingNumber: '京网信备11010819194755230011号',
      operatorName: '某某科技有限公司',
      operatorUscc: operatorUscc(),
      cryptoSuite: { hash: ['sm3', 'sha256'], signature: ['SM2', 'Ed25519'] },
      securityLevel: 3,
    },
    ...over,
  };
}

/** An EVM (QBFT) partner chain (credit) with a storage-mapped dishonest-debtor record. */
export function evmDocument(partner: string, over: Partial<RegistrationDocument> = {}): RegistrationDocument {
  return {
    type: 'courtbridge.adapter-registration',
    partner,
    chainId: 'eip155:1337',
    version: 1,
    kind: 'evm',
    name: '信用平台链 / credit platform chain',
    endpoints: ['https://evm.credit.example/rpc'],
    finality: { rule: 'qbft' },
    trustAnchor: {
      type: 'checkpoint',
      trustingPeriod: 30 * 86_400,
      header: { height: 1000, hash: h32(3), parentHash: h32(4), stateRoot: h32(5) },
      validatorSet: { members: [1, 2, 3, 4].map((i) => ({ id: `val${i}`, weight: 1, address: `0x${String(i).repeat(40)}` })) },
    },
    domain: 'credit',
    recordTypes: [
      {
        name: 'dishonest-debtor',
        schemaId: 'https://courtbridge.example/schemas/domain/credit/dishonest-debtor/v1',
        mapping: {
          kind: 'evm-storage', contract: `0x${'ab'.repeat(20)}`, mappingSlot: 0, keyType: 'bytes32-utf8',
          fields: [{ name: 'caseNumber', type: 'string', slot: 0 }, { name: 'listedAt', type: 'uint64', slot: 1 }, { name: 'active', type: 'bool', slot: 1, offset: 8 }],
        },
      },
      { name: 'debtor-listed', schemaId: 'https://courtbridge.example/schemas/domain/credit/dishonest-debtor/v1', mapping: { kind: 'evm-event', contract: `0x${'ab'.repeat(20)}`, event: 'DebtorListed(bytes32,string,uint64)', keyTopic: 1 } },
    ],
    rateLimit: { requestsPerSecond: 50, burst: 100 },
    platform: {
      filingNumber: '粤网信备44030524273626860016号',
      operatorName: '某某信用服务有限公司',
      operatorUscc: operatorUscc('MA02WXY9'),
      cryptoSuite: { hash: ['keccak256'], signature: ['ES256K'] },
      securityLevel: 3,
    },
    ...over,
  };
}

/** Temp directory with cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A ledger (SHA-256 unless `opts.hashAlg`) and a registration store in one SQLite file, a service with 3 admins
 * (Ed25519, SM2, Ed25519), threshold 2; `opts.documents` are DID documents resolved from memory (did:web partners).
 */
export async function world(t0 = Math.floor(Date.now() / 1000), opts: { hashAlg?: LedgerHashAlg; documents?: readonly DidDocument[] } = {}) {
  const tmp = tempDir('cb-reg-');
  const path = join(tmp.dir, 'courtbridge.db');
  const ledger = await Ledger.init(await openStore({ kind: 'sqlite', path }), { origin: 'court.test/registrations', hashAlg: opts.hashAlg ?? 'sha256', masterKey: 'registration-test-master-key-0123' });
  const store: RegistrationStore = await openRegistrationStore({ kind: 'sqlite', path });
  const admins = [identity('Ed25519'), identity('SM2'), identity('Ed25519')];
  let clock = t0;
  const verifier = new JwtVerifier(opts.documents ? localResolver(opts.documents) : new DidResolver());
  const service = new RegistrationService({ store, sink: ledger, verifier, admins: admins.map((a) => a.did), threshold: 2, now: () => clock });
  return {
    path, ledger, store, admins, service, verifier, t0,
    now: () => clock,
    tick: (s = 1) => { clock += s; },
    close: async () => {
      await store.close();
      await ledger.close();
      tmp.cleanup();
    },
  };
}
