/**
 * `courtbridge adapter …` — partner-chain registrations (adapters/registration/):
 *   register FILE --key KID            sign the registration document FILE as the partner and submit it
 *   rotate FILE --key KID              same, as a rotation of the active version (new endpoints / trust anchor)
 *   approve CHAIN_ID [--version N] --key KID    sign and record an administrator approval of that version's digest
 *                                      (default: the newest pending version)
 *   list [--active]                    one JSON line per stored version
 *   disable CHAIN_ID --key KID --reason TEXT [--version N]   an administrator's disable order (default: newest version)
 *   unfreeze CHAIN_ID --key KID --reason TEXT [--canonical-hash 0x…]   an administrator's order lifting the chain's
 *                                      light-client freeze (after misbehaviour); the decision is attested, then the
 *                                      thawed trust state is stored (relay/trust.ts `TrustBook.unfreeze`)
 * Keys are DID key-store entries (did/keystore.ts, `courtbridge did create`; `--keystore FILE` or the configured
 * SQLite store) named by their kid (a DID URL). The ledger must exist (`courtbridge ledger init`); registrations live
 * in the same database. Admin set and threshold: COURTBRIDGE_ADMINS, COURTBRIDGE_APPROVAL_THRESHOLD.
 */
import { parseCliArgs } from '../args.js';
import { fail } from '../../errors.js';
import { loadConfig, parseStore, type Config } from '../../config.js';
import { Ledger } from '../../ledger/ledger.js';
import { openStore } from '../../ledger/store/open.js';
import type { JwsSigner } from '../../../did/jwt.js';
import { openKeyStore, readJson } from '../../../did/cli-support.js';
import { openRegistrationStore } from '../../../adapters/registration/store.js';
import type { RegistrationService } from '../../../adapters/registration/service.js';
import { registrationServiceFromEnv } from '../../../adapters/registration/service-from-env.js';
import { signApproval, signDisable, signRegistration, signUnfreeze } from '../../../adapters/registration/jws.js';
import { parseRegistration } from '../../../adapters/registration/parse.js';
import { loadRegistrationConfig } from '../../../adapters/registration/config.js';
import type { RegistrationRecord } from '../../../adapters/registration/types.js';
import type { LedgerStore } from '../../ledger/store/types.js';
import { openRelayStore } from '../../../relay/jobs/open.js';
import { snapshotOf } from '../../../relay/registered-chains.js';
import { TrustBook } from '../../../relay/trust.js';
import { verifySourceEvidence } from '../../proofs/evidence.js';
import type { CliIo } from '../io.js';

const USAGE = [
  'usage: courtbridge adapter register FILE --key KID [--keystore FILE] [--store PATH|URL]',
  '       courtbridge adapter rotate FILE --key KID',
  '       courtbridge adapter approve CHAIN_ID [--version N] --key KID',
  '       courtbridge adapter list [--active]',
  '       courtbridge adapter disable CHAIN_ID --key KID --reason TEXT [--version N]',
  '       courtbridge adapter unfreeze CHAIN_ID --key KID --reason TEXT [--canonical-hash 0x…]',
].join('\n');

const OPTIONS = {
  key: { type: 'string' },
  keystore: { type: 'string' },
  store: { type: 'string' },
  version: { type: 'string' },
  reason: { type: 'string' },
  active: { type: 'boolean' },
  'canonical-hash': { type: 'string' },
} as const;

type Values = { key?: string; keystore?: string; store?: string; version?: string; reason?: string; active?: boolean; 'canonical-hash'?: string };

function versionArg(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(v) || !Number.isSafeInteger(Number(v))) fail('BAD_INTEGER', { field: '--version' });
  return Number(v);
}

/** The signer of `--key` from the key store; the DID is the kid's DID part. */
async function withSigner<T>(v: Values, io: CliIo, fn: (signer: JwsSigner, did: string) => Promise<T>): Promise<T> {
  const kid = v.key ?? fail('INVALID_INPUT', { field: '--key', reason: 'required: a key-store kid (DID URL)' });
  const hash = kid.indexOf('#');
  if (!kid.startsWith('did:') || hash < 0) fail('INVALID_INPUT', { field: '--key', reason: 'must be a DID URL with a fragment' });
  const { store, close } = await openKeyStore(v.keystore, io.err);
  try {
    return await fn(await store.signer(kid), kid.slice(0, hash));
  } finally {
    await close();
  }
}

/** Open ledger + registration store (same database) and the service; close both afterwards. */
async function withService<T>(config: Config, fn: (s: RegistrationService, db: { ledgerStore: LedgerStore; store: Awaited<ReturnType<typeof openRegistrationStore>> }) => Promise<T>): Promise<T> {
  loadRegistrationConfig(); // the admin set is checked before the database is opened
  const ledgerStore = await openStore(config.store);
  let ledger: Ledger;
  try {
    ledger = await Ledger.open(ledgerStore, { groupCommitMax: config.groupCommitMax });
  } catch (e) {
    await ledgerStore.close();
    throw e;
  }
  try {
    const store = await openRegistrationStore(config.store);
    try {
      const service = registrationServiceFromEnv(store, ledger);
      return await fn(service, { ledgerStore, store });
    } finally {
      await store.close();
    }
  } finally {
    await ledger.close();
  }
}

const summary = (r: RegistrationRecord) => ({
  chainId: r.chainId, version: r.version, status: r.status, kind: r.document.kind, partner: r.partner, digest: r.digest,
  submittedIndex: r.submittedIndex, ...(r.activationIndex === undefined ? {} : { activationIndex: r.activationIndex }),
});

/** Entry point of `courtbridge adapter …`. */
export async function adapterCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const p = parseCliArgs(rest, OPTIONS) as { values: Values; positionals: string[] };
  const { values: v, positionals: pos } = p;
  const base = loadConfig();
  const config: Config = v.store === undefined ? base : { ...base, store: parseStore(v.store, '--store', base.store.kind === 'postgres' ? base.store.schema : 'public') };
  switch (sub) {
    case 'register':
    case 'rotate': {
      if (pos.length !== 1) break;
      // Parse before signing: a partner never signs a document the hub would reject.
      const doc = parseRegistration(await readJson(pos[0]!));
      const jws = await withSigner(v, io, async (signer, did) => {
        if (did !== doc.partner) fail('REGISTRATION_PARTNER_MISMATCH', { did, chainId: doc.chainId });
        return signRegistration(doc, signer);
      });
      const rec = await withService(config, (s) => (sub === 'register' ? s.submit(jws) : s.rotate(jws)));
      io.out(JSON.stringify(summary(rec)));
      return 0;
    }
    case 'approve': {
      if (pos.length !== 1) break;
      const chainId = pos[0]!;
      const wanted = versionArg(v.version);
      const out = await withService(config, async (s) => {
        const versions = (await s.list()).filter((r) => r.chainId === chainId);
        const target = wanted === undefined ? versions.filter((r) => r.status === 'pending').at(-1) : versions.find((r) => r.version === wanted);
        if (!target) fail('REGISTRATION_NOT_FOUND', { chainId, version: wanted ?? 'pending' });
        const jws = await withSigner(v, io, (signer, did) => signApproval({ admin: did, chainId, version: target.version, digest: target.digest }, signer));
        return s.approve(jws);
      });
      io.out(JSON.stringify({ ...summary(out.record), activated: out.activated, approvals: out.approvals.map((a) => a.admin) }));
      return 0;
    }
    case 'list': {
      if (pos.length !== 0) break;
      const rows = await withService(config, (s) => (v.active ? s.listActive() : s.list()));
      for (const r of rows) io.out(JSON.stringify(summary(r)));
      return 0;
    }
    case 'disable': {
      if (pos.length !== 1) break;
      const chainId = pos[0]!;
      const reason = v.reason ?? fail('INVALID_INPUT', { field: '--reason', reason: 'required' });
      const changed = await withService(config, async (s) => {
        const latest = (await s.list()).filter((r) => r.chainId === chainId).at(-1) ?? fail('REGISTRATION_NOT_FOUND', { chainId, version: 'any' });
        const version = versionArg(v.version) ?? latest.version;
        const jws = await withSigner(v, io, (signer, did) => signDisable({ admin: did, chainId, version, reason }, signer));
        return s.disable(chainId, jws);
      });
      io.out(JSON.stringify({ chainId, disabled: changed }));
      return 0;
    }
    case 'unfreeze': {
      if (pos.length !== 1) break;
      const chainId = pos[0]!;
      const reason = v.reason ?? fail('INVALID_INPUT', { field: '--reason', reason: 'required' });
      const canonicalHash = v['canonical-hash'];
      if (canonicalHash !== undefined && !/^0x[0-9a-f]{64}$/.test(canonicalHash)) fail('INVALID_INPUT', { field: '--canonical-hash', reason: '0x and 64 lower-case hex digits' });
      const out = await withService(config, async (s, db) => {
        // The trust state's key, as the relay uses it: the chain id for dev chains (COURTBRIDGE_RELAY_CHAINS), else the
        // chain and its active version's trust anchor (relay/registered-chains.ts).
        const entry = process.env.COURTBRIDGE_RELAY_CHAINS === undefined ? snapshotOf(await db.store.list()).get(chainId) : undefined;
        const trustId = entry?.status === 'active' ? entry.trustId : chainId;
        const book = new TrustBook(await openRelayStore(db.ledgerStore), verifySourceEvidence, () => Math.floor(Date.now() / 1000));
        const jws = await withSigner(v, io, (signer, did) => signUnfreeze({ admin: did, chainId, reason, ...(canonicalHash === undefined ? {} : { canonicalHash }) }, signer));
        return s.unfreeze(chainId, jws, (decision, attest, signedAt) => book.unfreeze(trustId, decision, attest, signedAt));
      });
      io.out(JSON.stringify({ chainId, frozen: out.state.frozen, checkpoint: out.state.checkpoint, resolved: out.state.resolved.length, ledgerIndex: out.ledgerIndex }));
      return 0;
    }
  }
  io.err(USAGE);
  return 2;
}
