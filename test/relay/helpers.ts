/**
 * Relay test helpers on real parts: a local anvil node running the EnterpriseInfoRegistry partner contract (compiled
 * with solc from test/fixtures/contracts, deployed and filled over raw JSON-RPC — test/proofs/evm/helpers), the real
 * `evm` adapter, and the ledger + relay tables on a SQLite file or a PostgreSQL schema of its own.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Interface, encodeBytes32String } from 'ethers';
import pg from 'pg';
import { generateKeyPair } from '../../src/crypto/signature.js';
import { Ledger } from '../../src/ledger/ledger.js';
import type { LedgerStore } from '../../src/ledger/store/types.js';
import { openSqliteStore } from '../../src/ledger/store/sqlite.js';
import { openPostgresStore } from '../../src/ledger/store/postgres.js';
import { orgCodeCheckChar, usccCheckChar } from '../../src/ids/uscc.js';
import { verifySourceEvidence } from '../../src/proofs/evidence.js';
import { didKeyFromPublicKey } from '../../did/key.js';
import { keyPairSigner } from '../../did/jwt.js';
import type { Registration } from '../../adapters/types.js';
import { RelayEngine, type RelayEngineOptions } from '../../relay/engine.js';
import { openRelayStore } from '../../relay/jobs/open.js';
import type { RelayStore } from '../../relay/jobs/types.js';
import { staticChains, type ChainEntry } from '../../relay/setup.js';
import { compileContract, sendTx, startAnvil, type Anvil } from '../proofs/evm/helpers/anvil.js';

/** Schema of the records the partner contract holds. */
export const ENTERPRISE_SCHEMA = 'https://courtbridge.example/schemas/domain/market/enterprise-basic-info/v1';
/** Field order of the contract struct. */
export const FIELDS = ['uscc', 'name', 'entityType', 'legalRepresentative', 'establishmentDate', 'registrationAuthority', 'status'] as const;
/** Master key of test ledgers. */
export const MASTER = 'relay-test-master-key-0123456789';
/** Subject salt of tests (hex). */
export const SALT_HEX = '00112233445566778899aabbccddeeff';
/** Subject salt of tests. */
export const SALT = Uint8Array.from(Buffer.from(SALT_HEX, 'hex'));

/** A valid USCC number `i` (GB 32100 check characters computed). */
export function uscc(i: number): string {
  const body8 = `M${String(i).padStart(7, '0')}`;
  const first17 = `91350100${body8}${orgCodeCheckChar(body8)}`;
  return first17 + usccCheckChar(first17);
}

/** Enterprise record number `i` (valid against ENTERPRISE_SCHEMA). */
export function enterprise(i: number): Record<string, string> {
  return {
    uscc: uscc(i), name: `示例科技有限公司${i}`, entityType: '有限责任公司（自然人投资或控股）', legalRepresentative: `钱七${i}`,
    establishmentDate: '2016-03-01', registrationAuthority: '福州市市场监督管理局', status: 'active',
  };
}

const REGISTRY = new Interface(['function register(bytes32 key, string[] f)']);

/** A partner chain: anvil + deployed EnterpriseInfoRegistry. */
export interface PartnerChain {
  anvil: Anvil;
  contract: string;
  chainId: string;
  confirmations: number;
  /** Write enterprise `i` (one transaction, one block). */
  write(i: number, override?: Partial<Record<string, string>>): Promise<void>;
  /** Mine `n` empty blocks. */
  mine(n: number): Promise<void>;
  /** The registration view (adapters/types.ts) for `rpcUrl` (default: the node). */
  registration(rpcUrl?: string, timeoutMs?: number): Registration;
  entry(rpcUrl?: string, timeoutMs?: number): ChainEntry;
}

/** Start anvil, deploy the registry, write enterprises `0 … n−1`, mine `confirmations` blocks. */
export async function startPartnerChain(n: number, confirmations = 2): Promise<PartnerChain> {
  const anvil = await startAnvil();
  const { bytecode } = compileContract('EnterpriseInfoRegistry');
  const deployed = await sendTx(anvil, { data: bytecode, gas: '0x500000' });
  const contract = String(deployed.contractAddress).toLowerCase();
  const chainId = `eip155:${Number(await anvil.rpc<string>('eth_chainId'))}`;
  const write = async (i: number, override: Partial<Record<string, string>> = {}) => {
    const r = { ...enterprise(i), ...override };
    await sendTx(anvil, { to: contract, data: REGISTRY.encodeFunctionData('register', [encodeBytes32String(uscc(i)), FIELDS.map((f) => r[f]!)]), gas: '0x500000' });
  };
  const mine = async (k: number) => {
    await anvil.rpc('anvil_mine', [`0x${k.toString(16)}`]);
  };
  for (let i = 0; i < n; i++) await write(i);
  await mine(confirmations);
  const registration = (rpcUrl = anvil.url, timeoutMs = 5000): Registration => ({
    chainId, kind: 'evm', rpc: [{ url: rpcUrl }], finality: { rule: 'depth', confirmations },
    rpcLimits: { timeoutMs },
    recordTypes: {
      enterprise: {
        schemaId: ENTERPRISE_SCHEMA,
        mapping: { kind: 'evm-storage', contract, mappingSlot: 0, keyType: 'bytes32-utf8', fields: FIELDS.map((name, slot) => ({ name, type: 'string', slot })) },
      },
    },
  });
  return { anvil, contract, chainId, confirmations, write, mine, registration, entry: (u, t) => ({ registration: registration(u, t) }) };
}

/** A backend: the ledger and the relay tables in one database. */
export interface Backend {
  kind: 'sqlite' | 'postgres';
  ledgerStore: LedgerStore;
  ledger: Ledger;
  relayStore: RelayStore;
  /** Environment for a relay process on the same database (child processes, CLI). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Create a fresh ledger + relay store: a SQLite file in a temp dir, or a new PostgreSQL schema (dropped on close). */
export async function openBackend(kind: 'sqlite' | 'postgres', pgUrl?: string): Promise<Backend> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'cb-relay-'));
    const path = join(dir, 'courtbridge.db');
    const ledgerStore = await openSqliteStore(path);
    const ledger = await Ledger.init(ledgerStore, { origin: 'test.courtbridge/relay', hashAlg: 'sha256', masterKey: MASTER });
    return {
      kind, ledgerStore, ledger, relayStore: await openRelayStore(ledgerStore),
      env: { COURTBRIDGE_STORE: path, COURTBRIDGE_MASTER_KEY: MASTER, COURTBRIDGE_SUBJECT_SALT: SALT_HEX, COURTBRIDGE_RELAY_KEY_FILE: join(dir, 'relay-key.json') },
      close: async () => {
        await ledger.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `cbrelay_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const ledgerStore = await openPostgresStore(pgUrl!, { schema, createSchema: true });
  const ledger = await Ledger.init(ledgerStore, { origin: 'test.courtbridge/relay', hashAlg: 'sha256', masterKey: MASTER });
  const dir = mkdtempSync(join(tmpdir(), 'cb-relay-pg-'));
  return {
    kind, ledgerStore, ledger, relayStore: await openRelayStore(ledgerStore),
    env: { COURTBRIDGE_STORE: pgUrl!, COURTBRIDGE_PG_SCHEMA: schema, COURTBRIDGE_MASTER_KEY: MASTER, COURTBRIDGE_SUBJECT_SALT: SALT_HEX, COURTBRIDGE_RELAY_KEY_FILE: join(dir, 'relay-key.json') },
    close: async () => {
      await ledger.close();
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => c.end());
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A hub key and its DID. */
export function hubKey() {
  const kp = generateKeyPair('Ed25519');
  const did = didKeyFromPublicKey('Ed25519', kp.publicKey);
  const kid = `${did}#${did.slice('did:key:'.length)}`;
  return { kp, did, kid, signer: keyPairSigner(kp, kid) };
}

/** An engine over `backend` and `entries` with the real verifier; close the returned resolver after stopping. */
export function makeEngine(backend: Backend, entries: ChainEntry[], hub = hubKey(), extra: Partial<RelayEngineOptions> = {}) {
  const chains = staticChains(entries);
  const engine = new RelayEngine({
    ledger: backend.ledger, store: backend.relayStore, chains, verifier: verifySourceEvidence, signer: hub.signer, relayDid: hub.did,
    salt: SALT, pollMs: 20, leaseMs: 10_000, backoff: { baseMs: 20, capMs: 200, minMs: 5 }, ...extra,
  });
  return { engine, chains, hub };
}

/** Every attestation id in the ledger, in leaf order (from the ledger itself, not from the relay tables). */
export async function ledgerAttestationIds(ledger: Ledger): Promise<string[]> {
  const size = await ledger.size();
  const out: string[] = [];
  for (const l of await ledger.store.leaves(0, size)) {
    const v = JSON.parse(Buffer.from(l.data).toString('utf8')) as { attestation?: { id?: string } };
    if (v.attestation?.id) out.push(v.attestation.id);
  }
  return out;
}

/** Compile to dist/ (for spawned CLI processes) unless every relay / CLI source is older than its output. */
export function ensureBuilt(root: string): void {
  const sources: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(join(root, d))) {
      const p = join(d, n);
      if (statSync(join(root, p)).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) sources.push(p);
    }
  };
  for (const d of ['relay', 'adapters', 'src']) walk(d);
  const stale = sources.some((s) => {
    const out = join(root, 'dist', s.replace(/\.ts$/, '.js'));
    return !existsSync(out) || statSync(out).mtimeMs < statSync(join(root, s)).mtimeMs;
  });
  if (!stale) return;
  try {
    execFileSync('npx', ['tsc', '-p', '.'], { cwd: root, stdio: 'ignore' });
  } catch { /* type errors elsewhere in the tree do not stop the emit */ }
}
