/**
 * The partner-chain registration document (schemas/adapter-registration.json) as TypeScript types, and the stored
 * state of registrations. Mapping shapes are those of adapters/types.ts (plus `evm-event`, which the registration
 * records but no built-in adapter fetches yet).
 */
import type { AdapterKind, BftRecordMapping, EvmStorageMapping, FinalityRule, SubstrateStorageMapping } from '../types.js';

/** `$id` of the registration schema. */
export const REGISTRATION_SCHEMA_ID = 'https://courtbridge.example/schemas/adapter-registration/v1';
/** Value of the document's `type`. */
export const REGISTRATION_TYPE = 'courtbridge.adapter-registration';

/** Judicial data domains (法发〔2022〕16号). */
export type RegistrationDomain = 'ip' | 'market' | 'finance' | 'credit' | 'bankruptcy';

/** Records emitted as EVM logs (signature `Name(type,…)`, key in an indexed topic). */
export interface EvmEventMapping {
  readonly kind: 'evm-event';
  readonly contract: string;
  readonly event: string;
  readonly keyTopic?: number;
}

/** A mapping as registered. */
export type RegisteredMapping = EvmStorageMapping | EvmEventMapping | SubstrateStorageMapping | BftRecordMapping;

/** One record type of a registration. */
export interface RegisteredRecordType {
  readonly name: string;
  readonly schemaId: string;
  readonly mapping: RegisteredMapping;
}

/** A validator as registered (EVM: address; others: alg + public key). */
export interface RegisteredValidator {
  readonly id: string;
  readonly weight: number;
  readonly address?: string;
  readonly alg?: 'Ed25519' | 'ES256K' | 'SM2';
  readonly publicKey?: string;
}

/** Trust anchor as registered; the light-client kind follows from `finality.rule`. */
export interface RegisteredTrustAnchor {
  readonly type: 'genesis' | 'checkpoint';
  readonly trustingPeriod: number;
  readonly header: { readonly height: number; readonly hash: string; readonly parentHash: string; readonly stateRoot: string; readonly timestamp?: number };
  readonly validatorSet: { readonly setId?: number; readonly members: readonly RegisteredValidator[] };
  readonly setFromHeight?: number;
}

/** Platform facts courts weigh. */
export interface PlatformFacts {
  /** 境内区块链信息服务备案编号. */
  readonly filingNumber: string;
  readonly operatorName: string;
  /** 统一社会信用代码 of the operator. */
  readonly operatorUscc: string;
  readonly cryptoSuite: { readonly hash: readonly string[]; readonly signature: readonly string[] };
  /** 等级保护 level 1–5. */
  readonly securityLevel: number;
}

/** The registration document (what the partner signs). */
export interface RegistrationDocument {
  readonly type: typeof REGISTRATION_TYPE;
  readonly partner: string;
  readonly chainId: string;
  readonly version: number;
  readonly kind: AdapterKind;
  readonly name: string;
  readonly endpoints: readonly string[];
  readonly finality: FinalityRule;
  readonly trustAnchor?: RegisteredTrustAnchor;
  readonly domain: RegistrationDomain;
  readonly recordTypes: readonly RegisteredRecordType[];
  readonly rateLimit: { readonly requestsPerSecond: number; readonly burst: number };
  readonly platform: PlatformFacts;
}

/** Life cycle of one version: pending → active → superseded; pending → superseded (newer submission); → disabled. */
export type RegistrationStatus = 'pending' | 'active' | 'superseded' | 'disabled';

/** Every status (runtime list). */
export const REGISTRATION_STATUSES: readonly RegistrationStatus[] = ['pending', 'active', 'superseded', 'disabled'];

/** One stored version of a chain's registration. */
export interface RegistrationRecord {
  readonly chainId: string;
  readonly version: number;
  readonly partner: string;
  /** Hex SHA-256 of the RFC 8785 canonical JSON of the document. */
  readonly digest: string;
  /** The document as the partner signed it. */
  readonly document: RegistrationDocument;
  /** The partner's compact JWS. */
  readonly jws: string;
  readonly status: RegistrationStatus;
  /** Unix seconds. */
  readonly submittedAt: number;
  /** Ledger index of the `submitted` (or `rotated`) event. */
  readonly submittedIndex: number;
  readonly activatedAt?: number;
  /** Ledger index of the `activated` event: the entry an evidence bundle proves inclusion of. */
  readonly activationIndex?: number;
  readonly disabledAt?: number;
  readonly disabledIndex?: number;
}

/** One administrator approval of one version. */
export interface ApprovalRecord {
  readonly chainId: string;
  readonly version: number;
  readonly admin: string;
  readonly digest: string;
  readonly jws: string;
  readonly approvedAt: number;
  readonly ledgerIndex: number;
}

/** Where registration events go (a `Ledger` satisfies it); `meta.hashAlg` is the ledger's hash suite (`activated` binds the JWS under it). */
export interface RegistrationEventSink {
  readonly meta: { readonly hashAlg: string };
  append(event: object): Promise<{ index: number }>;
}

/** Ledger event types. */
export type RegistrationEventName = 'submitted' | 'rotated' | 'approved' | 'activated' | 'disabled' | 'unfrozen';

/** `type` of every registration ledger entry. */
export const REGISTRATION_EVENT_TYPE = 'courtbridge.registration';
