/**
 * Bundle sources from the configured store (`courtbridge bundle export`, the API): the ledger, the relay tables, the
 * registrations of the same database and the relay's chains from the approved registrations (to fetch the source
 * evidence again at the attested height — see build.ts step 2).
 */
import { loadConfig, type StoreConfig } from '../config.js';
import { resolveMasterKey } from '../ledger/master-key.js';
import { fail } from '../errors.js';
import { Ledger } from '../ledger/ledger.js';
import { openStore } from '../ledger/store/open.js';
import { openRegistrationStore, type RegistrationStore } from '../../adapters/registration/store.js';
import type { RegistrationEvidence } from '../../adapters/registration/service.js';
import { openRelayStore } from '../../relay/jobs/open.js';
import { registeredChains } from '../../relay/registered-chains.js';
import { buildEvidenceBundle, type BundleSources, type RegistrationEvidenceSource } from './build.js';
import type { EvidenceBundle } from './types.js';

/** Registration evidence read straight from the store (the active version unless `version` is given; `versionAt` by ledger index). */
export function registrationEvidenceFromStore(store: RegistrationStore): RegistrationEvidenceSource {
  return {
    async evidence(chainId: string, version?: number): Promise<RegistrationEvidence> {
      const versions = await store.versions(chainId);
      const rec = version === undefined ? versions.find((r) => r.status === 'active') : versions.find((r) => r.version === version);
      if (rec === undefined || rec.activationIndex === undefined) return fail('REGISTRATION_NOT_FOUND', { chainId, version: version ?? 'active' });
      const approvals = await store.approvals(chainId, rec.version);
      return {
        chainId, version: rec.version, digest: rec.digest, registrationJws: rec.jws,
        approvals: approvals.map((a) => ({ admin: a.admin, jws: a.jws, ledgerIndex: a.ledgerIndex })),
        submittedIndex: rec.submittedIndex, activationIndex: rec.activationIndex,
      };
    },
    async versionAt(chainId: string, ledgerIndex: number): Promise<number | undefined> {
      const activated = (await store.versions(chainId)).filter((r) => r.activationIndex !== undefined && r.activationIndex < ledgerIndex);
      return activated.reduce<{ v?: number; at: number }>((best, r) => (r.activationIndex! > best.at ? { v: r.version, at: r.activationIndex! } : best), { at: -1 }).v;
    },
  };
}

/** Open the bundle sources from the environment (COURTBRIDGE_STORE, COURTBRIDGE_MASTER_KEY, …); close when done. */
export async function openBundleSourcesFromEnv(env: NodeJS.ProcessEnv, notice: (line: string) => void): Promise<BundleSources & { close(): Promise<void> }> {
  const config = loadConfig(env);
  const store = await openStore(config.store);
  const ledger = await Ledger.open(store, { masterKey: resolveMasterKey(config.masterKey, notice) });
  const relayStore = await openRelayStore(store);
  const registrations = await openRegistrationStore(config.store);
  const chains = registeredChains({ store: registrations });
  return {
    ledger, relayStore, registrations: registrationEvidenceFromStore(registrations), chains,
    close: async () => {
      await chains.close();
      await registrations.close();
      await ledger.close();
    },
  };
}

/** The API's `bundles` dependency over an open ledger (relay tables and registrations in the same database). */
export async function openBundleDeps(ledger: Ledger, storeConfig: StoreConfig): Promise<{ bundles: (id: string, opts: { caseParties: string[] }) => Promise<EvidenceBundle>; close(): Promise<void> }> {
  const relayStore = await openRelayStore(ledger.store);
  const registrations = await openRegistrationStore(storeConfig);
  const chains = registeredChains({ store: registrations });
  const sources: BundleSources = { ledger, relayStore, registrations: registrationEvidenceFromStore(registrations), chains };
  return {
    bundles: (id, opts) => buildEvidenceBundle(sources, id, opts),
    close: async () => {
      await chains.close();
      await registrations.close();
    },
  };
}
