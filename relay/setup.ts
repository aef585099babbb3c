/**
 * Wiring of a relay process from the environment (used by `courtbridge relay run` and `courtbridge attest`; `courtbridge
 * api serve` builds the same engine over its own ledger with `openRelayParts`, without starting it unless `--with-relay`):
 *
 * | Variable | Meaning | Default |
 * |---|---|---|
 * | `COURTBRIDGE_STORE` / `DATABASE_URL` / `COURTBRIDGE_PG_SCHEMA` / master key | as src/config.ts (the ledger's store) | |
 * | `COURTBRIDGE_RELAY_CHAINS` | DEV ONLY — JSON file `[{ registration, trust? }]` of registration views (adapters/types.ts) with an optional initial trust, bypassing partner signatures and admin approval (a local anvil without the DID set-up). When unset, the chains are the APPROVED registrations in the same database (relay/registered-chains.ts) | unset |
 * | `COURTBRIDGE_RELAY_REGISTRATION_REFRESH_MS` | how often the approved registrations (activation, rotation, disabling) and the stored subscriptions (created by `api serve` webhook registrations) are re-read | 2000 |
 * | `COURTBRIDGE_RELAY_KEY_FILE` | the hub's Ed25519 DID key, sealed with the master key (created 0600 on first use) | `./data/relay-key.json` |
 * | `COURTBRIDGE_SUBJECT_SALT` | consortium subject salt, hex ≥ 16 bytes | required |
 * | `COURTBRIDGE_RELAY_WORKERS`, `COURTBRIDGE_RELAY_LEASE_MS`, `COURTBRIDGE_RELAY_MAX_ATTEMPTS`, `COURTBRIDGE_RELAY_POLL_MS`, `COURTBRIDGE_RELAY_BATCH` | engine tuning | 2, 60000, 8, 250, 32 |
 * | `COURTBRIDGE_WEBHOOK_TIMEOUT_MS`, `COURTBRIDGE_WEBHOOK_MAX_ATTEMPTS` | court webhook deliveries (docs/webhooks.md) | 10000, 12 |
 * | `COURTBRIDGE_WEBHOOK_ALLOW_HTTP_LOCALHOST` | `1`: plain http to localhost webhooks (dev only; the API's registration rule must match) | `0` |
 * | `COURTBRIDGE_DID_WEB_DOMAIN` | when set, webhook deliveries are signed as `did:web:<domain>#key-1` (the document `api serve` publishes) instead of the hub's did:key | unset |
 * | `COURTBRIDGE_SEQUENCER_LEASE_MS` | when set (≥ 100), the ledger appends only under the sequencer lease with this time to live, and only its holder claims jobs (several relay processes on one PostgreSQL, docs/scaling.md) | unset (off) |
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fromHex, toHex } from '../src/crypto/bytes.js';
import { deriveMasterKey, openSecret, sealSecret } from '../src/crypto/sealed.js';
import { generateKeyPair, keyPairFromPrivate } from '../src/crypto/signature.js';
import { loadConfig } from '../src/config.js';
import { asCourtBridgeError, fail } from '../src/errors.js';
import { subjectSaltFromEnv } from '../src/ids/subject.js';
import { Ledger } from '../src/ledger/ledger.js';
import { resolveMasterKey } from '../src/ledger/master-key.js';
import { openStore } from '../src/ledger/store/open.js';
import { verifySourceEvidence } from '../src/proofs/evidence.js';
import { didKeyFromPublicKey } from '../did/key.js';
import type { JwsSigner } from '../did/jwt.js';
import { ed25519HubSigner } from './hub-signer.js';
import { createAdapter } from '../adapters/registry.js';
import type { EvidenceTrust, Registration } from '../adapters/types.js';
import { RelayEngine, type RelayEngineOptions } from './engine.js';
import { openRelayStore } from './jobs/open.js';
import { WebhookDeliverer } from './webhooks/deliver.js';
import { openWebhookStore } from './webhooks/open.js';
import { openRegistrationStore, type RegistrationStore } from '../adapters/registration/store.js';
import type { StoreConfig } from '../src/config.js';
import type { SequencerOptions } from '../src/ledger/sequencer.js';
import type { RelayStore } from './jobs/types.js';
import type { WebhookStore } from './webhooks/types.js';
import type { WebhookUrlPolicy } from './webhooks/url.js';
import { registeredChains } from './registered-chains.js';
import type { ChainResolver, RelayChain } from './pipeline.js';

/** One entry of the chains file. */
export interface ChainEntry {
  registration: Registration;
  trust?: EvidenceTrust;
}

/** Default trust of a registration: the given one, or depth trust for depth/clique rules. */
export function defaultTrust(entry: ChainEntry): EvidenceTrust {
  if (entry.trust !== undefined) return entry.trust;
  const f = entry.registration.finality;
  if (f.rule === 'depth' || f.rule === 'clique') return { kind: 'evm-depth', chainId: entry.registration.chainId, minConfirmations: f.confirmations };
  return fail('RELAY_NO_TRUST_STATE', { chainId: entry.registration.chainId });
}

/** A resolver over fixed chain entries; adapters are created once, on first use. */
export function staticChains(entries: readonly ChainEntry[]): ChainResolver & { close(): Promise<void> } {
  const byId = new Map(entries.map((e) => [e.registration.chainId, e]));
  const made = new Map<string, Promise<RelayChain>>();
  const resolve = (async (chainId: string) => {
    const e = byId.get(chainId);
    if (e === undefined) return undefined;
    let p = made.get(chainId);
    if (p === undefined) {
      p = createAdapter(e.registration).then((adapter) => ({ registration: e.registration, adapter, initialTrust: () => defaultTrust(e) }));
      made.set(chainId, p);
      p.catch(() => made.delete(chainId));
    }
    return p;
  }) as ChainResolver & { close(): Promise<void> };
  resolve.close = async () => {
    for (const p of made.values()) await (await p.catch(() => undefined))?.adapter.close();
  };
  return resolve;
}

/** fsync a directory so a new entry in it survives a power loss (best effort where directories cannot be opened). */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the file itself is already durable.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The hub key: Ed25519 (deterministic signatures, RFC 8032), sealed at rest; created on first use. */
export function loadHubKey(path: string, passphrase: string, notice: (line: string) => void): { signer: JwsSigner; did: string } {
  const AD = 'courtbridge/relay-hub-key';
  let file: { alg: 'Ed25519'; salt: string; sealed: string };
  if (!existsSync(path)) {
    const kp = generateKeyPair('Ed25519');
    const salt = randomBytes(16);
    file = { alg: 'Ed25519', salt: toHex(salt), sealed: sealSecret(kp.privateKey, deriveMasterKey(passphrase, salt), AD) };
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Written whole to a temporary file, fsynced, then linked into place: a crash (or a process starting beside this
    // one) never sees an empty or half-written key file, and link() refuses to replace a key another process made.
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const fd = openSync(tmp, 'wx', 0o600);
      try {
        writeFileSync(fd, `${JSON.stringify(file)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      chmodSync(tmp, 0o600);
      linkSync(tmp, path);
      fsyncDir(dirname(path));
      notice(`created relay hub key ${path} (mode 0600)`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw asCourtBridgeError(e, 'FILE_UNREADABLE', { file: path, reason: 'cannot write' });
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as typeof file;
  } catch (e) {
    return fail('FILE_UNREADABLE', { file: path, reason: 'not JSON' }, e);
  }
  const kp = keyPairFromPrivate('Ed25519', openSecret(file.sealed, deriveMasterKey(passphrase, fromHex(file.salt, 'salt', 16)), AD));
  const did = didKeyFromPublicKey('Ed25519', kp.publicKey);
  return { signer: ed25519HubSigner(kp, `${did}#${did.slice('did:key:'.length)}`), did };
}

function intEnv(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const v = env[name];
  if (v === undefined) return dflt;
  if (!/^[0-9]{1,9}$/.test(v)) fail('CONFIG_INVALID', { field: name, reason: 'must be an integer' });
  return Number(v);
}

/** A boolean variable: `1`/`true` or `0`/`false` (default false). */
export function boolEnv(env: NodeJS.ProcessEnv, name: string): boolean {
  const v = env[name];
  if (v === undefined || v === '' || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  return fail('CONFIG_INVALID', { field: name, reason: 'must be 1, true, 0 or false' });
}

/** A relay process: ledger, relay store, engine; `close` stops and releases everything. */
export interface RelayProcess {
  engine: RelayEngine;
  ledger: Ledger;
  close(): Promise<void>;
}

/** The chain entries of the DEV chains file `COURTBRIDGE_RELAY_CHAINS`, or undefined (chains from the registrations). */
export function relayChainsFileFromEnv(env: NodeJS.ProcessEnv): ChainEntry[] | undefined {
  const chainsFile = env.COURTBRIDGE_RELAY_CHAINS;
  if (chainsFile === undefined) return undefined;
  let entries: ChainEntry[];
  try {
    entries = JSON.parse(readFileSync(chainsFile, 'utf8')) as ChainEntry[];
  } catch (e) {
    return fail('FILE_UNREADABLE', { file: chainsFile, reason: (e as Error).message }, e);
  }
  if (!Array.isArray(entries)) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_RELAY_CHAINS', reason: 'must hold a JSON array' });
  return entries;
}

/** A lease owner id unique to this process (the job-claim owner and the sequencer holder). */
export function relayOwnerId(): string {
  return `relay-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Sequencer-lease options from `COURTBRIDGE_SEQUENCER_LEASE_MS` (undefined when unset: appends unfenced). */
export function sequencerFromEnv(env: NodeJS.ProcessEnv, holder: string, notice: (line: string) => void): SequencerOptions | undefined {
  const leaseMs = env.COURTBRIDGE_SEQUENCER_LEASE_MS === undefined ? undefined : intEnv(env, 'COURTBRIDGE_SEQUENCER_LEASE_MS', 0);
  if (leaseMs !== undefined && leaseMs < 100) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_SEQUENCER_LEASE_MS', reason: 'must be at least 100' });
  return leaseMs === undefined ? undefined : { holder, ttlMs: leaseMs, notice };
}

/** The relay modules over an open ledger; `close` stops the engine and closes the chains and registrations (not the ledger). */
export interface RelayParts {
  engine: RelayEngine;
  store: RelayStore;
  /** Court webhooks: the outbox the engine's deliverer works off, and the URL rule of registration and delivery. */
  webhooks: { store: WebhookStore; urlPolicy: WebhookUrlPolicy };
  close(): Promise<void>;
}

/**
 * The relay engine over an already open ledger (`relay run` opens its own; `api serve` passes the one it serves, so one
 * process never opens two ledgers on one database): chains (the DEV chains file, else the approved registrations of
 * the same database), the hub signer, the subject salt, the webhook deliverer and the tuning variables of the table
 * above. Not started: `relay run` starts it; `api serve` only enqueues jobs and reads their status unless `--with-relay`.
 */
export async function openRelayParts(env: NodeJS.ProcessEnv, notice: (line: string) => void, o: {
  ledger: Ledger; storeConfig: StoreConfig; hub: { signer: JwsSigner; did: string }; owner: string; extra?: Partial<RelayEngineOptions>;
  /** An open registration store of the same database to read the chains from (kept open by `close`); default: one of its own. */
  registrations?: RegistrationStore;
}): Promise<RelayParts> {
  const entries = relayChainsFileFromEnv(env);
  const salt = subjectSaltFromEnv(env);
  const refreshMs = intEnv(env, 'COURTBRIDGE_RELAY_REGISTRATION_REFRESH_MS', 2000);
  const { ledger, hub } = o;
  const relayStore = await openRelayStore(ledger.store);
  let chains: ChainResolver & { close(): Promise<void> };
  let rateLimit: RelayEngineOptions['rateLimit'];
  let closeRegistrations = async () => {};
  if (entries !== undefined) {
    notice(`relay chains from ${env.COURTBRIDGE_RELAY_CHAINS} (dev: no registration approval)`);
    chains = staticChains(entries);
  } else {
    const registrations = o.registrations ?? await openRegistrationStore(o.storeConfig);
    const reg = registeredChains({ store: registrations, refreshMs });
    chains = reg;
    rateLimit = (chainId) => reg.rateLimit(chainId);
    if (o.registrations === undefined) closeRegistrations = () => registrations.close();
  }
  // Court webhooks: delivered by the process running the engine, signed with the hub key under the DID receivers resolve.
  const webDomain = env.COURTBRIDGE_DID_WEB_DOMAIN;
  const webhookIssuer = webDomain ? `did:web:${webDomain}` : hub.did;
  const urlPolicy: WebhookUrlPolicy = { allowHttpLocalhost: boolEnv(env, 'COURTBRIDGE_WEBHOOK_ALLOW_HTTP_LOCALHOST') };
  const webhookStore = await openWebhookStore(ledger.store);
  const webhooks = new WebhookDeliverer({
    store: webhookStore, issuer: webhookIssuer, salt,
    signer: webDomain ? { ...hub.signer, kid: `${webhookIssuer}#key-1` } : hub.signer,
    urlPolicy,
    timeoutMs: intEnv(env, 'COURTBRIDGE_WEBHOOK_TIMEOUT_MS', 10_000), maxAttempts: intEnv(env, 'COURTBRIDGE_WEBHOOK_MAX_ATTEMPTS', 12),
  });
  const engine = new RelayEngine({
    ledger, store: relayStore, chains, verifier: verifySourceEvidence, signer: hub.signer, relayDid: hub.did, salt, rateLimit,
    workers: intEnv(env, 'COURTBRIDGE_RELAY_WORKERS', 2), leaseMs: intEnv(env, 'COURTBRIDGE_RELAY_LEASE_MS', 60_000),
    maxAttempts: intEnv(env, 'COURTBRIDGE_RELAY_MAX_ATTEMPTS', 8), pollMs: intEnv(env, 'COURTBRIDGE_RELAY_POLL_MS', 250), webhooks,
    batchSize: Math.max(1, intEnv(env, 'COURTBRIDGE_RELAY_BATCH', 32)),
    // Subscriptions created by other processes (an API's webhook registration) are followed within this interval.
    subscriptionRefreshMs: refreshMs,
    ...o.extra, owner: o.owner,
  });
  return {
    engine, store: relayStore, webhooks: { store: webhookStore, urlPolicy },
    close: async () => {
      await engine.stop();
      await chains.close();
      await closeRegistrations();
    },
  };
}

/** Open ledger, relay store and engine from the environment (not started). */
export async function openRelayFromEnv(env: NodeJS.ProcessEnv, notice: (line: string) => void, extra: Partial<RelayEngineOptions> = {}): Promise<RelayProcess> {
  const config = loadConfig(env);
  relayChainsFileFromEnv(env); // a bad chains file fails before anything is opened
  subjectSaltFromEnv(env);
  const passphrase = resolveMasterKey(config.masterKey, notice);
  const hub = loadHubKey(env.COURTBRIDGE_RELAY_KEY_FILE ?? './data/relay-key.json', passphrase, notice);
  const owner = extra.owner ?? relayOwnerId();
  const sequencer = sequencerFromEnv(env, owner, notice);
  const store = await openStore(config.store);
  const ledger = await Ledger.open(store, { masterKey: passphrase, groupCommitMax: config.groupCommitMax, sequencer });
  let parts: RelayParts;
  try {
    parts = await openRelayParts(env, notice, { ledger, storeConfig: config.store, hub, owner, extra });
  } catch (e) {
    await ledger.close();
    throw e;
  }
  return {
    engine: parts.engine, ledger,
    close: async () => {
      await parts.close();
      await ledger.close();
    },
  };
}
