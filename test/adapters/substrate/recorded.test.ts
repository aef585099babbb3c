/**
 * The `substrate` adapter against recorded REAL Polkadot responses (recordings.ts: the Polkadot genesis header and
 * the genesis read proof of a `Claims::Preclaims` key), replayed by a local JSON-RPC server over WebSocket and HTTP,
 * plus WebSocket faults (down, hang, garbage, oversize) from the same server. Trust: a light-client state anchored
 * at the Polkadot genesis with the genesis GRANDPA authority set (fixtures/recorded.ts POLKADOT_JUSTIFICATION).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from '../../../adapters/conformance.js';
import { hasAbsenceEvidence } from '../../../adapters/errors.js';
import { createAdapter } from '../../../adapters/registry.js';
import type { Adapter, RpcEndpoint, SourceEvidence } from '../../../adapters/types.js';
import { fromHex } from '../../../src/crypto/bytes.js';
import { CourtBridgeError } from '../../../src/errors.js';
import { verifySourceAbsence, verifySourceEvidence } from '../../../src/proofs/evidence.js';
import { grandpaValidatorSet } from '../../../src/proofs/lightclient/kind-grandpa.js';
import { createTrustState } from '../../../src/proofs/lightclient/state.js';
import { POLKADOT_GENESIS_PROOF, POLKADOT_JUSTIFICATION } from '../../proofs/substrate/fixtures/recorded.js';
import {
  ABSENT_ACCOUNT, GENESIS_HEADER_JSON, POLKADOT_CHAIN_ID, POLKADOT_GENESIS_HASH, PRECLAIM_MAPPING, PRECLAIM_TYPE, PRESENT_ACCOUNT, PRESENT_VALUE,
  polkadotRegistration, recordedBackend,
} from './recordings.js';
import { startSubstrateRpcServer, type SubstrateRpcServer } from './rpc-server.js';

const NOW = 1_800_000_000;
const trust = createTrustState({
  chainId: POLKADOT_CHAIN_ID, kind: 'substrate-grandpa', trustingPeriod: 86_400,
  header: { chainId: POLKADOT_CHAIN_ID, kind: 'substrate-grandpa', height: 0, hash: POLKADOT_GENESIS_HASH, parentHash: GENESIS_HEADER_JSON.parentHash as string, stateRoot: GENESIS_HEADER_JSON.stateRoot as string },
  validatorSet: grandpaValidatorSet(0, POLKADOT_JUSTIFICATION.authorities.map(([k, w]) => ({ publicKey: fromHex(k, 'k', 32), weight: BigInt(w) }))),
}, NOW - 10);
const opts = { now: NOW, mapping: PRECLAIM_MAPPING };
const ref = (key: string) => ({ chainId: POLKADOT_CHAIN_ID, recordType: PRECLAIM_TYPE, key });
const DEAD_WS = { url: 'ws://127.0.0.1:9' };

let server: SubstrateRpcServer;
let backup: SubstrateRpcServer;
const adapters: Adapter[] = [];
async function adapterOn(endpoints: RpcEndpoint[], limits?: { timeoutMs?: number; maxResponseBytes?: number }): Promise<Adapter> {
  const a = await createAdapter(polkadotRegistration(endpoints, limits));
  adapters.push(a);
  return a;
}

beforeAll(async () => {
  server = await startSubstrateRpcServer(recordedBackend);
  backup = await startSubstrateRpcServer(recordedBackend);
});
afterAll(async () => {
  for (const a of adapters) await a.close();
  await server.close();
  await backup.close();
});

describe('substrate adapter (recorded Polkadot responses)', () => {
  for (const transport of ['ws', 'http'] as const) {
    const url = () => (transport === 'ws' ? server.wsUrl : server.httpUrl);

    it(`finalized head and a record whose evidence verifies, over ${transport} (recorded Polkadot responses)`, async () => {
      const a = await adapterOn([{ url: url() }]);
      expect(await a.finalizedHead()).toEqual({ height: 0, hash: POLKADOT_GENESIS_HASH, timestamp: 0 });
      const e = await a.fetchRecord(ref(PRESENT_ACCOUNT));
      if (e.kind !== 'substrate-storage') throw new Error('kind');
      // Raw RPC JSON kept verbatim.
      expect(e.header).toEqual(GENESIS_HEADER_JSON);
      expect(e.readProof).toEqual({ at: POLKADOT_GENESIS_HASH, proof: POLKADOT_GENESIS_PROOF.proof });
      expect(e.storageKey).toBe(POLKADOT_GENESIS_PROOF.key);
      expect(e.justification).toBeUndefined(); // genesis is the trust anchor
      const v = verifySourceEvidence(e, trust, { ...opts, expect: ref(PRESENT_ACCOUNT) });
      expect(v.record).toEqual({ value: PRESENT_VALUE });
      expect(v).toMatchObject({ height: 0, blockHash: POLKADOT_GENESIS_HASH, finality: { rule: 'grandpa', trust: 'light-client' } });
      const again = verifySourceEvidence(JSON.parse(JSON.stringify(e)) as SourceEvidence, trust, opts);
      expect(again.evidenceDigest).toBe(v.evidenceDigest);
    });

    it(`absence: RECORD_NOT_FOUND with verifiable absence evidence, over ${transport} (recorded Polkadot responses)`, async () => {
      const a = await adapterOn([{ url: url() }]);
      let err: unknown;
      await a.fetchRecord(ref(ABSENT_ACCOUNT)).catch((e: unknown) => (err = e));
      expect((err as CourtBridgeError).code).toBe('RECORD_NOT_FOUND');
      if (!hasAbsenceEvidence(err)) throw new Error('no absence evidence');
      expect(verifySourceAbsence(err.absence, trust, { ...opts, expect: ref(ABSENT_ACCOUNT) })).toMatchObject({ key: ABSENT_ACCOUNT, height: 0 });
      expect(await codeOf(() => verifySourceEvidence(err && (err as { absence: unknown }).absence, trust, opts))).toBe('RECORD_NOT_FOUND');
    });
  }

  it('a wrong key never verifies; malformed keys, unknown types, unfinalized heights are refused (recorded Polkadot responses)', async () => {
    const a = await adapterOn([{ url: server.wsUrl }]);
    const e = await a.fetchRecord(ref(PRESENT_ACCOUNT));
    expect(await codeOf(() => verifySourceEvidence({ ...e, key: ABSENT_ACCOUNT }, trust, opts))).toBe('EVIDENCE_MISMATCH');
    expect(await codeOf(() => verifySourceEvidence(e, trust, { ...opts, expect: ref(ABSENT_ACCOUNT) }))).toBe('EVIDENCE_MISMATCH');
    expect(await codeOf(() => verifySourceEvidence(e, trust, { ...opts, mapping: { ...PRECLAIM_MAPPING, item: 'Vesting' } }))).toBe('EVIDENCE_MISMATCH');
    expect(await codeOf(a.fetchRecord(ref('0xzz')))).toBe('BAD_HEX');
    expect(await codeOf(a.fetchRecord(ref('0x1234')))).toBe('BAD_LENGTH');
    expect(await codeOf(a.fetchRecord({ ...ref(PRESENT_ACCOUNT), recordType: 'nope' }))).toBe('RECORD_TYPE_UNKNOWN');
    expect(await codeOf(a.fetchRecord({ ...ref(PRESENT_ACCOUNT), chainId: 'polkadot:00' }))).toBe('INVALID_INPUT');
    expect(await codeOf(a.fetchRecord(ref(PRESENT_ACCOUNT), 1))).toBe('RECORD_NOT_FINAL');
    expect(await codeOf(a.fetchRecord(ref(PRESENT_ACCOUNT), -1))).toBe('BAD_INTEGER');
    expect((await a.fetchRecord(ref(PRESENT_ACCOUNT), 0)).key).toBe(PRESENT_ACCOUNT);
    // A key the recording has no proof for: the node's JSON-RPC error is an answer (RPC_ERROR), not failed over.
    const fb = await adapterOn([{ url: server.wsUrl }, { url: backup.wsUrl }]);
    const before = backup.calls.get('state_getReadProof') ?? 0;
    expect(await codeOf(fb.fetchRecord(ref(`0x${'11'.repeat(32)}`)))).toBe('RPC_ERROR');
    expect(backup.calls.get('state_getReadProof') ?? 0).toBe(before);
  });

  it('the registry creates the adapter; bad URLs, chain ids, finality rules and mappings are refused at creation (recorded Polkadot responses)', async () => {
    expect(await codeOf(createAdapter(polkadotRegistration([{ url: 'ftp://127.0.0.1/' }])))).toBe('CONFIG_INVALID');
    expect(await codeOf(createAdapter(polkadotRegistration([])))).toBe('CONFIG_INVALID');
    const good = polkadotRegistration([{ url: server.wsUrl }]);
    expect(await codeOf(createAdapter({ ...good, chainId: 'eip155:1' }))).toBe('CONFIG_INVALID');
    expect(await codeOf(createAdapter({ ...good, finality: { rule: 'depth', confirmations: 2 } }))).toBe('CONFIG_INVALID');
    for (const bad of [{ pallet: '' }, { item: 'a b' }, { hasher: 'sha256' }, { keyType: 'u32' }, { valueCodec: 'json' }, { kind: 'evm-storage' }]) {
      const mapping = { ...PRECLAIM_MAPPING, ...bad } as never;
      expect(await codeOf(createAdapter({ ...good, recordTypes: { [PRECLAIM_TYPE]: { schemaId: 's', mapping } } }))).toBe('MAPPING_INVALID');
    }
  });
});

describe('substrate adapter WebSocket faults (recorded Polkadot responses)', () => {
  it('concurrent calls share one socket and each gets its own answer', async () => {
    const a = await adapterOn([{ url: server.wsUrl }]);
    const keys = [PRESENT_ACCOUNT, ABSENT_ACCOUNT, PRESENT_ACCOUNT, ABSENT_ACCOUNT, PRESENT_ACCOUNT, ABSENT_ACCOUNT];
    const codes = await Promise.all(keys.map((k) => codeOf(a.fetchRecord(ref(k)))));
    expect(codes).toEqual(keys.map((k) => (k === PRESENT_ACCOUNT ? 'RESOLVED' : 'RECORD_NOT_FOUND')));
  });

  it('one endpoint down → failover; all down → RPC_UNAVAILABLE; credentials never in errors', async () => {
    const a = await adapterOn([DEAD_WS, { url: server.wsUrl }]);
    expect((await a.finalizedHead()).hash).toBe(POLKADOT_GENESIS_HASH);
    const down = await adapterOn([DEAD_WS, { url: 'ws://user:secret@127.0.0.1:1/?key=secret' }]);
    let err: unknown;
    await down.finalizedHead().catch((e: unknown) => (err = e));
    expect((err as CourtBridgeError).code).toBe('RPC_UNAVAILABLE');
    expect(/secret/.test(JSON.stringify((err as CourtBridgeError).toJSON()))).toBe(false);
  });

  it('down mid-session, hang → RPC_TIMEOUT, garbage → RPC_BAD_RESPONSE, oversize → RPC_BAD_RESPONSE; recovers after each', async () => {
    const a = await adapterOn([{ url: server.wsUrl }], { timeoutMs: 300, maxResponseBytes: 1024 * 1024 });
    try {
      expect((await a.finalizedHead()).height).toBe(0);
      for (const [fault, code] of [['down', 'RPC_UNAVAILABLE'], ['hang', 'RPC_TIMEOUT'], ['garbage', 'RPC_BAD_RESPONSE'], ['oversize', 'RPC_BAD_RESPONSE']] as const) {
        server.setFault(fault);
        expect(`${fault}: ${await codeOf(a.fetchRecord(ref(PRESENT_ACCOUNT)))}`).toBe(`${fault}: ${code}`);
        server.setFault('pass');
        expect((await a.fetchRecord(ref(PRESENT_ACCOUNT))).key).toBe(PRESENT_ACCOUNT);
      }
    } finally {
      server.setFault('pass');
    }
  });

  it('a hanging endpoint fails over to the next one within the deadline', async () => {
    backup.setFault('hang');
    try {
      const a = await adapterOn([{ url: backup.wsUrl }, { url: server.wsUrl }], { timeoutMs: 300 });
      expect((await a.fetchRecord(ref(PRESENT_ACCOUNT))).key).toBe(PRESENT_ACCOUNT);
      const b = await adapterOn([{ url: backup.wsUrl }, DEAD_WS], { timeoutMs: 300 });
      expect(await codeOf(b.finalizedHead())).toBe('RPC_UNAVAILABLE'); // mixed: timeout + refused
    } finally {
      backup.setFault('pass');
    }
  });
});
