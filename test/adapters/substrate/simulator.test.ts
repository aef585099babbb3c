/**
 * The `substrate` adapter on the chain simulator (sim-chain.ts) over WebSocket: record decoding against the domain
 * schema (失信被执行人), reading at an older final height, nodes that hold no justification, and the strict parsing
 * of the answers (parse.ts). Plus why the adapter does not use @polkadot/api's WsProvider (a spawned process).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from '../../../adapters/conformance.js';
import { hasAbsenceEvidence } from '../../../adapters/errors.js';
import { createAdapter } from '../../../adapters/registry.js';
import { parseGrandpaJustification, parseHeaderFor, parseReadProofFor } from '../../../adapters/substrate/parse.js';
import type { Adapter } from '../../../adapters/types.js';
import { fromHex } from '../../../src/crypto/bytes.js';
import { verifySourceAbsence, verifySourceEvidence } from '../../../src/proofs/evidence.js';
import { parseHeaderJson } from '../../../src/proofs/substrate/header.js';
import { validateRecord } from '../../../src/schema/index.js';
import { codeOf as syncCode } from '../../proofs/substrate/helpers.js';
import { DEBTOR_SCHEMA, SIM_CHAIN_ID, SIM_MAPPING, SIM_RECORD_TYPE, SimChain, simRegistration } from './sim-chain.js';
import { debtor } from './sim-records.js';
import { RpcFailure, startSubstrateRpcServer, type SubstrateRpcServer } from './rpc-server.js';

const NOW = Math.floor(Date.now() / 1000);
const chain = new SimChain();
let withholding = false;
let server: SubstrateRpcServer;
let adapter: Adapter;
const ref = (key: string) => ({ chainId: SIM_CHAIN_ID, recordType: SIM_RECORD_TYPE, key });
const opts = { now: NOW, mapping: SIM_MAPPING };

beforeAll(async () => {
  // A node that keeps no justifications answers `justifications: null` (withholding mode).
  server = await startSubstrateRpcServer((m, p) => {
    const r = chain.backend(m, p);
    return withholding && m === 'chain_getBlock' ? { ...(r as object), justifications: null } : r;
  });
  adapter = await createAdapter(simRegistration([{ url: server.wsUrl }]));
});
afterAll(async () => {
  await adapter.close();
  await server.close();
});

describe('substrate adapter (simulator)', () => {
  it('a 失信被执行人 record: evidence verifies under GRANDPA and the record validates against the domain schema (simulator)', async () => {
    const r0 = debtor(0);
    chain.put(r0.caseNumber as string, r0);
    chain.produce();
    const e = await adapter.fetchRecord(ref(r0.caseNumber as string));
    expect(e.kind === 'substrate-storage' && typeof e.justification).toBe('string');
    const v = verifySourceEvidence(e, chain.trust(NOW - 10), { ...opts, expect: ref(r0.caseNumber as string) });
    expect(v.record).toEqual(r0);
    expect(v.finality).toMatchObject({ rule: 'grandpa', trust: 'light-client', chainKind: 'substrate-grandpa' });
    expect(validateRecord(DEBTOR_SCHEMA, v.record)).toBeTruthy();
  });

  it('reads at an older final height: a later record is proven absent there (simulator)', async () => {
    const before = chain.head;
    const r1 = debtor(1);
    chain.put(r1.caseNumber as string, r1);
    chain.produce();
    chain.produce();
    const height = Number.parseInt(before.json.number as string, 16);
    let err: unknown;
    await adapter.fetchRecord(ref(r1.caseNumber as string), height).catch((e: unknown) => (err = e));
    if (!hasAbsenceEvidence(err)) throw new Error('expected absence evidence');
    expect(verifySourceAbsence(err.absence, chain.trust(NOW - 10), opts)).toMatchObject({ height, blockHash: before.hash });
    const now = await adapter.fetchRecord(ref(r1.caseNumber as string));
    expect(verifySourceEvidence(now, chain.trust(NOW - 10), opts).record).toEqual(r1);
  });

  it('a node holding no justification: evidence without one is not final for a fresh light client (simulator)', async () => {
    withholding = true;
    try {
      const e = await adapter.fetchRecord(ref(debtor(0).caseNumber as string));
      expect('justification' in e).toBe(false);
      expect(await codeOf(() => verifySourceEvidence(e, chain.trust(NOW - 10), opts))).toBe('RECORD_NOT_FINAL');
    } finally {
      withholding = false;
    }
  });

  it('the RPC server answers unknown methods with a JSON-RPC error (simulator)', () => {
    expect(() => chain.backend('nope', [])).toThrow(RpcFailure);
  });
});

describe('substrate answers are parsed strictly (simulator)', () => {
  const FRNK = [0x46, 0x52, 0x4e, 0x4b];
  const block = (justifications: unknown) => ({ block: { header: {}, extrinsics: [] }, justifications });
  it('GRANDPA justifications from chain_getBlock', () => {
    expect(parseGrandpaJustification(block(null))).toBeUndefined();
    expect(parseGrandpaJustification(block([[[66, 69, 69, 70], '0x00']]))).toBeUndefined(); // BEEF only
    expect(parseGrandpaJustification(block([[[66, 69, 69, 70], '0x00'], [FRNK, '0xAB01']]))).toBe('0xab01');
    expect(syncCode(() => parseGrandpaJustification(block([[FRNK, '0x01'], [FRNK, '0x02']])))).toBe('INVALID_INPUT');
    expect(syncCode(() => parseGrandpaJustification(block([[[1, 2, 3], '0x01']])))).toBe('INVALID_INPUT');
    expect(syncCode(() => parseGrandpaJustification(block([[FRNK, 'zz']])))).toBe('BAD_HEX');
    expect(syncCode(() => parseGrandpaJustification(block(Array(9).fill([FRNK, '0x01']))))).toBe('TOO_LARGE');
    expect(syncCode(() => parseGrandpaJustification(block('0x01')))).toBe('INVALID_INPUT');
    expect(syncCode(() => parseGrandpaJustification([]))).toBe('INVALID_INPUT');
  });
  it('headers must hash to the block asked for; read proofs must be for it', async () => {
    const b = chain.blocks[1]!;
    expect(parseHeaderFor(b.json, b.hash).header.number).toBe(1);
    expect(await codeOf(() => parseHeaderFor(b.json, chain.blocks[0]!.hash))).toBe('INVALID_INPUT');
    expect(await codeOf(() => parseHeaderFor({ ...b.json, extra: 1 }, b.hash))).toBe('INVALID_INPUT');
    const header = parseHeaderJson(b.json);
    const proof = chain.backend('state_getReadProof', [[`0x${'00'.repeat(40)}`], chain.blocks[2]!.hash]);
    expect(await codeOf(() => parseReadProofFor(proof, header, fromHex(`0x${'00'.repeat(40)}`, 'k')))).toBe('INVALID_INPUT');
  });
});

describe('why not @polkadot/api WsProvider', () => {
  it('@polkadot/api 16.5.x WsProvider: one non-JSON frame from the endpoint is an uncaught exception that kills the process', () => {
    const script = `
      import { WebSocketServer } from 'ws';
      import { WsProvider } from '@polkadot/api';
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      await new Promise((r) => wss.on('listening', r));
      wss.on('connection', (s) => s.on('message', () => s.send('{"jsonrpc":"2.0","id":')));
      const p = new WsProvider('ws://127.0.0.1:' + wss.address().port, false, {}, 5000, 0);
      await p.connect(); await p.isReady;
      p.send('chain_getFinalizedHead', []).catch(() => console.log('rejected cleanly'));
      setTimeout(() => { console.log('survived'); process.exit(0); }, 1000);
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 30_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/SyntaxError/);
    expect(r.stdout).not.toMatch(/survived|rejected cleanly/);
  }, 40_000);
});
