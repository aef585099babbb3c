/**
 * `relay.evm`: records attested per second from a local EVM node through the FULL relay pipeline (durable job on
 * SQLite → real `evm` adapter → verifySourceEvidence → schema → signed attestation → durable ledger append →
 * receipt), against the bare rate of the same `eth_getProof` + `eth_getBlockByNumber` raw HTTP JSON-RPC calls to the
 * same node, at the same concurrency (one batch of 32 records in flight), in the same run. Target 0.7 (issue 5).
 *
 * The node: anvil (started in setup, killed in teardown) running EnterpriseInfoRegistry with 64 records, plus
 * 96 more blocks so that every (record, block) pair is a distinct attestation (jobs are idempotent per block).
 * The registration uses the depth rule with 0 confirmations so that the adapter makes exactly the two calls the
 * baseline makes (no descendants; short strings only, so no data-slot round trip).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Interface, encodeBytes32String } from 'ethers';
import type { Benchmark } from '../harness.js';
import { generateKeyPair } from '../../src/crypto/signature.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { openSqliteStore } from '../../src/ledger/store/sqlite.js';
import { headSlots, parseEvmMapping } from '../../src/proofs/evidence/layout.js';
import { verifySourceEvidence } from '../../src/proofs/evidence.js';
import { didKeyFromPublicKey } from '../../did/key.js';
import { ed25519HubSigner } from '../../relay/hub-signer.js';
import type { EvmStorageMapping, Registration } from '../../adapters/types.js';
import { RelayEngine } from '../../relay/engine.js';
import { openRelayStore } from '../../relay/jobs/open.js';
import { staticChains } from '../../relay/setup.js';
import { compileContract, sendTx, startAnvil } from '../../test/proofs/evm/helpers/anvil.js';
import { ENTERPRISE_SCHEMA, FIELDS, SALT, enterprise, uscc } from '../../test/relay/helpers.js';

const RECORDS = 64;
const EXTRA_BLOCKS = 96;
const BATCH = 32;

async function setup() {
  const anvil = await startAnvil();
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-relay-'));
  const { bytecode } = compileContract('EnterpriseInfoRegistry');
  const contract = String((await sendTx(anvil, { data: bytecode, gas: '0x500000' })).contractAddress).toLowerCase();
  const abi = new Interface(['function register(bytes32 key, string[] f)']);
  for (let i = 0; i < RECORDS; i++) {
    const r: Record<string, string> = { ...enterprise(i), entityType: '有限责任公司' };
    await sendTx(anvil, { to: contract, data: abi.encodeFunctionData('register', [encodeBytes32String(uscc(i)), FIELDS.map((f) => r[f]!)]), gas: '0x500000' });
  }
  await anvil.rpc('anvil_mine', [`0x${EXTRA_BLOCKS.toString(16)}`]);
  const top = Number(await anvil.rpc<string>('eth_blockNumber'));
  const chainId = `eip155:${Number(await anvil.rpc<string>('eth_chainId'))}`;
  const mapping: EvmStorageMapping = { kind: 'evm-storage', contract, mappingSlot: 0, keyType: 'bytes32-utf8', fields: FIELDS.map((name, slot) => ({ name, type: 'string' as const, slot })) };
  const registration: Registration = { chainId, kind: 'evm', rpc: [{ url: anvil.url }], finality: { rule: 'depth', confirmations: 0 }, recordTypes: { enterprise: { schemaId: ENTERPRISE_SCHEMA, mapping } } };

  const ledgerStore = await openSqliteStore(join(dir, 'courtbridge.db'));
  const ledger = await Ledger.init(ledgerStore, { origin: 'bench.courtbridge/relay', hashAlg: 'sha256', masterKey: 'bench-relay-master-key-0123456789' });
  const store = await openRelayStore(ledgerStore);
  const kp = generateKeyPair('Ed25519');
  const did = didKeyFromPublicKey('Ed25519', kp.publicKey);
  const chains = staticChains([{ registration }]);
  const engine = new RelayEngine({
    ledger, store, chains, verifier: verifySourceEvidence, signer: ed25519HubSigner(kp, `${did}#key`), relayDid: did, salt: SALT,
    workers: 2, batchSize: BATCH, pollMs: 5, leaseMs: 60_000,
  });
  await engine.start();

  // (record, block) pairs in a fixed order; each side walks its own cursor, so no pair is attested twice.
  const pairs: { key: string; height: number }[] = [];
  for (let h = top; h > top - EXTRA_BLOCKS; h--) for (let i = 0; i < RECORDS; i++) pairs.push({ key: uscc(i), height: h });
  let subjectAt = 0;
  let baselineAt = 0;
  const parsed = parseEvmMapping(mapping, 'mapping');
  let id = 0;
  const call = async (method: string, params: unknown[]) => {
    const res = await fetch(anvil.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }) });
    const body = (await res.json()) as { result?: unknown; error?: unknown };
    if (body.error !== undefined) throw new Error(`${method} failed`);
    return body.result;
  };
  return {
    subject: {
      label: 'full pipeline',
      batch: BATCH,
      run: async () => {
        const slice = pairs.slice(subjectAt % pairs.length, (subjectAt % pairs.length) + BATCH);
        subjectAt += BATCH;
        const jobs = await engine.enqueueMany(slice.map((p) => ({ ref: { chainId, recordType: 'enterprise', key: p.key }, at: p.height })));
        await Promise.all(jobs.map((j) => engine.waitFor(j.id, 60_000)));
      },
    },
    baseline: {
      label: 'raw eth_getProof + eth_getBlockByNumber',
      batch: BATCH,
      run: async () => {
        const slice = pairs.slice(baselineAt % pairs.length, (baselineAt % pairs.length) + BATCH);
        baselineAt += BATCH;
        await Promise.all(slice.map(async (p) => {
          const tag = `0x${p.height.toString(16)}`;
          const slots = headSlots(parsed, p.key);
          const [proof] = await Promise.all([call('eth_getProof', [contract, slots.map((s) => s.slot), tag]), call('eth_getBlockByNumber', [tag, false])]);
          return proof;
        }));
      },
    },
    notes: () => ({ attested: subjectAt, ledgerTransactions: ledger.transactions }),
    teardown: async () => {
      await engine.stop();
      await chains.close();
      await ledger.close();
      await anvil.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Relay benchmarks. */
export const relayBenchmarks: Benchmark[] = [{ name: 'relay.evm', target: 0.7, setup }];
