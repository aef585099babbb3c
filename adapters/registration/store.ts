/**
 * Storage of registrations, in the same database as the ledger (SQLite file or PostgreSQL schema of
 * `COURTBRIDGE_STORE` / `DATABASE_URL`), in tables of its own with their own versioned migrations
 * (`registration_schema_version`, independent of the ledger's `schema_version`). Two implementations, one
 * conformance suite (test/adapters/registration/store-conformance.ts).
 */
import type { StoreConfig } from '../../src/config.js';
import type { Migration } from '../../src/store/migrations.js';
import { fail } from '../../src/errors.js';
import { REGISTRATION_STATUSES, type ApprovalRecord, type RegistrationDocument, type RegistrationRecord, type RegistrationStatus } from './types.js';

/** Result of `insert`: written, or refused because `current` (the chain's highest version) is not below it. */
export type InsertOutcome = { readonly ok: true } | { readonly ok: false; readonly current: number };

/** Registration storage. Every multi-row change is one transaction. */
export interface RegistrationStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Newest applied migration. */
  schemaVersion(): Promise<number>;
  /** Insert a new version above every stored one of its chain; pending versions below it become superseded. */
  insert(rec: RegistrationRecord): Promise<InsertOutcome>;
  /** One version. */
  get(chainId: string, version: number): Promise<RegistrationRecord | undefined>;
  /** Every version of a chain, ascending. */
  versions(chainId: string): Promise<RegistrationRecord[]>;
  /** Every stored version (optionally of one status), by chain id then version. */
  list(status?: RegistrationStatus): Promise<RegistrationRecord[]>;
  /** Store an approval; false when this admin already approved this version. */
  addApproval(a: ApprovalRecord): Promise<boolean>;
  /** Approvals of one version, oldest first. */
  approvals(chainId: string, version: number): Promise<ApprovalRecord[]>;
  /** Make a pending version active (the chain's previous active version becomes superseded); false unless pending. */
  activate(chainId: string, version: number, at: number, ledgerIndex: number): Promise<boolean>;
  /** Disable every pending or active version ≤ `upTo`; returns how many changed. */
  disable(chainId: string, upTo: number, at: number, ledgerIndex: number): Promise<number>;
  /** Release the connection. */
  close(): Promise<void>;
}

const STATUS_CHECK = `CHECK (status IN (${REGISTRATION_STATUSES.map((s) => `'${s}'`).join(', ')}))`;

/** Migrations; `INT` is INTEGER on SQLite and BIGINT on PostgreSQL. */
export function registrationMigrations(INT: string): readonly Migration[] {
  return [
    {
      version: 1,
      statements: [
        `CREATE TABLE registrations (chain_id TEXT NOT NULL, version ${INT} NOT NULL CHECK (version >= 1), partner TEXT NOT NULL,
           digest TEXT NOT NULL, document TEXT NOT NULL, jws TEXT NOT NULL, status TEXT NOT NULL ${STATUS_CHECK},
           submitted_at ${INT} NOT NULL, submitted_index ${INT} NOT NULL, activated_at ${INT}, activation_index ${INT},
           disabled_at ${INT}, disabled_index ${INT}, PRIMARY KEY (chain_id, version))`,
        `CREATE UNIQUE INDEX registrations_one_active ON registrations (chain_id) WHERE status = 'active'`,
        `CREATE TABLE registration_approvals (chain_id TEXT NOT NULL, version ${INT} NOT NULL, admin TEXT NOT NULL, digest TEXT NOT NULL,
           jws TEXT NOT NULL, approved_at ${INT} NOT NULL, ledger_index ${INT} NOT NULL, PRIMARY KEY (chain_id, version, admin),
           FOREIGN KEY (chain_id, version) REFERENCES registrations (chain_id, version))`,
      ],
    },
  ];
}

/** Newest migration this build knows. */
export const REGISTRATION_SCHEMA_VERSION = 1;

/** A database row of `registrations` (numbers may arrive as strings from PostgreSQL BIGINT). */
export interface RegistrationRow {
  chain_id: string;
  version: number | string;
  partner: string;
  digest: string;
  document: string;
  jws: string;
  status: string;
  submitted_at: number | string;
  submitted_index: number | string;
  activated_at: number | string | null;
  activation_index: number | string | null;
  disabled_at: number | string | null;
  disabled_index: number | string | null;
}

/** A database row of `registration_approvals`. */
export interface ApprovalRow {
  chain_id: string;
  version: number | string;
  admin: string;
  digest: string;
  jws: string;
  approved_at: number | string;
  ledger_index: number | string;
}

const opt = (v: number | string | null): number | undefined => (v === null ? undefined : Number(v));

/** Row → record. */
export function recordFromRow(r: RegistrationRow): RegistrationRecord {
  if (!(REGISTRATION_STATUSES as readonly string[]).includes(r.status)) fail('STORE_UNAVAILABLE', { reason: `registration ${r.chain_id} has unknown status` });
  const activatedAt = opt(r.activated_at);
  const activationIndex = opt(r.activation_index);
  const disabledAt = opt(r.disabled_at);
  const disabledIndex = opt(r.disabled_index);
  return {
    chainId: r.chain_id,
    version: Number(r.version),
    partner: r.partner,
    digest: r.digest,
    document: JSON.parse(r.document) as RegistrationDocument,
    jws: r.jws,
    status: r.status as RegistrationStatus,
    submittedAt: Number(r.submitted_at),
    submittedIndex: Number(r.submitted_index),
    ...(activatedAt === undefined ? {} : { activatedAt }),
    ...(activationIndex === undefined ? {} : { activationIndex }),
    ...(disabledAt === undefined ? {} : { disabledAt }),
    ...(disabledIndex === undefined ? {} : { disabledIndex }),
  };
}

/** Row → approval. */
export function approvalFromRow(r: ApprovalRow): ApprovalRecord {
  return { chainId: r.chain_id, version: Number(r.version), admin: r.admin, digest: r.digest, jws: r.jws, approvedAt: Number(r.approved_at), ledgerIndex: Number(r.ledger_index) };
}

/** Column list of `registrations` in insert order. */
export const REGISTRATION_COLUMNS = 'chain_id, version, partner, digest, document, jws, status, submitted_at, submitted_index, activated_at, activation_index, disabled_at, disabled_index';

/** Values of a record in REGISTRATION_COLUMNS order. */
export function recordValues(r: RegistrationRecord): unknown[] {
  return [r.chainId, r.version, r.partner, r.digest, JSON.stringify(r.document), r.jws, r.status, r.submittedAt, r.submittedIndex,
    r.activatedAt ?? null, r.activationIndex ?? null, r.disabledAt ?? null, r.disabledIndex ?? null];
}

/** Open the registration store in the database `config` names (the ledger's). */
export async function openRegistrationStore(config: StoreConfig, opts: { createSchema?: boolean } = {}): Promise<RegistrationStore> {
  switch (config.kind) {
    case 'sqlite': {
      const { openSqliteRegistrationStore } = await import('./store-sqlite.js');
      return openSqliteRegistrationStore(config.path);
    }
    case 'postgres': {
      const { openPostgresRegistrationStore } = await import('./store-postgres.js');
      return openPostgresRegistrationStore(config.url, { schema: config.schema, createSchema: opts.createSchema ?? false });
    }
    default: {
      const never: never = config;
      return fail('CONFIG_INVALID', { field: 'store', reason: `unknown kind ${String(never)}` });
    }
  }
}
