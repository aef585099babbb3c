/** What `buildApp` is given: the ledger and stores, the DID modules, and the optional relay / registration modules. */
import type { FastifyPluginAsync } from 'fastify';
import type { DestinationStream } from 'pino';
import type { MemberRegistry } from '../../did/auth.js';
import type { ReplayGuard } from '../../did/replay.js';
import type { JwsSigner, JwtVerifier } from '../../did/jwt.js';
import type { DidWebHost } from '../../did/web-host.js';
import type { StatusListRegistry } from '../../did/status-list.js';
import type { IssuerRegistry } from '../../did/issuers.js';
import type { IssuedCredentials } from '../../did/issued-credentials.js';
import type { PresentationVerifier } from '../../did/credentials/presentation.js';
import type { RegistrationService, RegistrationStore } from '../../adapters/registration/index.js';
import type { RelayEngine } from '../../relay/engine.js';
import type { RelayStore } from '../../relay/jobs/types.js';
import type { WebhookStore } from '../../relay/webhooks/types.js';
import type { WebhookUrlPolicy } from '../../relay/webhooks/url.js';
import type { Ledger } from '../ledger/ledger.js';
import type { ApiStore } from './store/types.js';

/** Dependencies of the API. Optional modules add their audience's routes when present; absent, no route exists. */
export interface ApiDeps {
  ledger: Ledger;
  /** Court-record index and member registry (same database as the ledger). */
  store: ApiStore;
  /** The hub's DID: the required `aud` of every bearer token. */
  hubDid: string;
  /** Verifies DID-signed JWTs (bearer tokens). */
  jwt: JwtVerifier;
  /** Member registry for roles (default: `store`). */
  members?: MemberRegistry;
  /** Seconds since the epoch (tests). */
  now?: () => number;
  /**
   * Bearer-token replay guard (did/replay.ts): 'store' shares used jtis with every replica through the API store's
   * `api_token_uses` table, 'memory' keeps them in this process. Default: 'store' on PostgreSQL (replicas), 'memory'
   * on SQLite (one machine; a write per request would cost an fsync).
   */
  replayGuard?: 'memory' | 'store' | ReplayGuard;
  /** did:web documents of the hub and its members. */
  didHost?: DidWebHost;
  /** Status lists published under `/api/v1/public/status/:name`, signed by `hubSigner`. */
  statusLists?: { registry: StatusListRegistry; baseUrl: string; signer: JwsSigner };
  /** The trusted-issuer registry (accreditations by the issuer audience). */
  issuers?: IssuerRegistry;
  /** Credentials issued through the hub (status entries reserved, issuer-signed VCs registered, status changes). */
  credentials?: IssuedCredentials;
  /** A presentation verifier for the court with this DID (the VP's audience); the API keeps one per court. */
  presentations?: (courtDid: string) => PresentationVerifier;
  /** Partner registrations and their approval. */
  registrations?: { service: RegistrationService; store: RegistrationStore };
  /** Consortium subject salt (as the relay's, COURTBRIDGE_SUBJECT_SALT): enables the court's attestation query. */
  subjectSalt?: Uint8Array;
  /** Evidence bundles of attestations (src/bundle/build.ts `buildEvidenceBundle` over the configured sources). */
  bundles?: (attestationId: string, opts: { caseParties: string[] }) => Promise<import('../bundle/types.js').EvidenceBundle>;
  /** The relay: courts request fresh attestations (durable jobs) and follow their status. */
  relay?: { engine: RelayEngine; store: RelayStore };
  /** Court webhooks (with `relay`): their store, the URL policy and the number one court may hold (default 32). */
  webhooks?: { store: WebhookStore; urlPolicy?: WebhookUrlPolicy; maxPerCourt?: number };
  /** Extra Prometheus text sources appended to `/metrics` (e.g. `RelayMetrics.metricsText`). */
  metrics?: readonly (() => Promise<string>)[];
  /** Rate limits (requests per minute): per member on authenticated routes, per client address on public ones; false = off. */
  rateLimit?: { perMember: number; perAddress: number } | false;
  /** More plugins registered after the audiences (e.g. web/serve.ts `webPlugin`); their routes must declare audiences too. */
  plugins?: readonly FastifyPluginAsync[];
  /** Serialised `/public/attestations/:index` answers kept (immutable per signed tree size); 0 = none. Default 4096. */
  attestationCacheSize?: number;
  /** Logging: level and destination (tests capture it). */
  log?: { level?: string; stream?: DestinationStream };
}
