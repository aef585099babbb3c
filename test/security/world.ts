/**
 * The security suite's API world: test/api/fixtures.ts `apiWorld` with EVERY optional module mounted (registrations,
 * issuers, relay jobs, attestation query, presentations, status lists, did:web, evidence bundles, the web page
 * plugin), plus a second member of every role (a second court, partner, administrator and issuer: "another
 * organisation" for the ownership rules of the authorization matrix).
 */
import { createAuthToken, type Role } from '../../did/auth.js';
import { buildEvidenceBundle } from '../../src/bundle/build.js';
import { registrationEvidenceFromStore } from '../../src/bundle/export.js';
import { registeredChains } from '../../relay/registered-chains.js';
import type { ApiDeps } from '../../src/api/app.js';
import { webPlugin } from '../../web/serve.js';
import { identity, type Identity } from '../did/fixtures.js';
import { apiWorld, type ApiWorld } from '../api/fixtures.js';

/**
 * A caller of the matrix: `public` (no token), `stranger` (a valid DID-signed token of a non-member), `norole` (an
 * enabled member holding no role), or a member of one role (`…2` = a member of another organisation).
 */
export type Caller = 'public' | 'stranger' | 'norole' | Role | 'court2' | 'partner2' | 'admin2' | 'issuer2';

/** The callers the matrix tries on every route. */
export const CALLERS: readonly Caller[] = ['public', 'stranger', 'norole', 'court', 'court2', 'partner', 'partner2', 'admin', 'admin2', 'issuer', 'issuer2'];

/** The role a caller holds (undefined: none). */
export function roleOf(c: Caller): Role | undefined {
  return c === 'public' || c === 'stranger' || c === 'norole' ? undefined : (c.replace(/2$/, '') as Role);
}

/** The security world. */
export interface SecurityWorld extends ApiWorld {
  /** The second member of every role. */
  others: Record<'court2' | 'partner2' | 'admin2' | 'issuer2' | 'norole', Identity>;
  /** The identity of a caller. */
  who(c: Exclude<Caller, 'public'>): Identity;
  /** Authorization headers of a caller (a fresh token each call). */
  auth(c: Caller): Promise<Record<string, string>>;
  /** The SQLite database file of the ledger, API, relay and registration tables. */
  dbPath: string;
}

/** Build the world; `over` overrides dependencies. */
export async function securityWorld(over: Partial<ApiDeps> = {}): Promise<SecurityWorld> {
  let bundles: ApiDeps['bundles'];
  const w = await apiWorld({ plugins: [webPlugin], bundles: (id, o) => bundles!(id, o), ...over });
  const reg = w.deps.registrations!;
  const chains = registeredChains({ store: reg.store });
  bundles = (id, o) => buildEvidenceBundle({ ledger: w.ledger, relayStore: w.deps.relay!.store, registrations: registrationEvidenceFromStore(reg.store), chains }, id, o);
  const others = { court2: identity(), partner2: identity('ES256'), admin2: identity(), issuer2: identity(), norole: identity() };
  for (const [k, id] of Object.entries(others)) {
    const role = roleOf(k as Caller);
    await w.deps.store.putMember({ did: id.did, roles: role ? [role] : [], enabled: true });
  }
  const who = (c: Exclude<Caller, 'public'>): Identity => (c in others ? others[c as keyof typeof others] : w.ids[c as Role | 'stranger']);
  return {
    ...w,
    others,
    who,
    // The store keeps its better-sqlite3 handle private; its file name is all the suite needs (read-only connections).
    dbPath: (w.ledger.store as unknown as { db: { name: string } }).db.name,
    auth: async (c): Promise<Record<string, string>> => (c === 'public' ? {} : { authorization: `Bearer ${await createAuthToken(who(c).signer, who(c).did, w.hub.did)}` }),
    close: async () => {
      await chains.close();
      await w.close();
    },
  };
}
