/** PostgreSQL `ApiStore` on the ledger store's pool and schema. */
import type { Member } from '../../../did/auth.js';
import type { PostgresLedgerStore } from '../../ledger/store/postgres.js';
import type { PgDatabase } from '../../store/postgres.js';
import {
  API_SCHEMA_VERSION, COURT_RECORD_COLUMNS, attestationFromDb, attestationWhere, type AttestationIndexRow, type AttestationQuery, apiMigrations, courtRecordFromDb, courtRecordValues, memberFromDb, type ApiStore, type CourtRecordRow,
} from './types.js';

/** Advisory-lock key serialising API migrations ("apis"). */
const API_MIGRATION_LOCK = 0x61706973;

/** The PostgreSQL API store. */
export class PostgresApiStore implements ApiStore {
  readonly kind = 'postgres' as const;
  private readonly db: PgDatabase;

  /** Wrap the ledger store (its pool and schema are shared; `PgDatabase.query` wraps failures as STORE_UNAVAILABLE). */
  constructor(ledgerStore: PostgresLedgerStore) {
    this.db = ledgerStore.db;
  }

  async migrate(): Promise<void> {
    await this.db.migrate({ versionTable: 'api_schema_version', version: API_SCHEMA_VERSION, migrations: apiMigrations('BIGINT'), lockId: API_MIGRATION_LOCK });
  }

  async putCourtRecord(row: CourtRecordRow): Promise<{ row: CourtRecordRow; created: boolean }> {
    const ins = await this.db.query(`INSERT INTO court_records (${COURT_RECORD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
      ON CONFLICT (court_did, sha256, document_type, case_number) DO NOTHING RETURNING *`, courtRecordValues(row));
    if (ins.rows[0]) return { row: courtRecordFromDb(ins.rows[0]), created: true };
    const existing = await this.findCourtRecord(row.courtDid, row.sha256, row.documentType, row.caseNumber);
    return { row: existing!, created: false };
  }

  async findCourtRecord(courtDid: string, sha256: string, documentType: string, caseNumber: string): Promise<CourtRecordRow | undefined> {
    const r = await this.db.query('SELECT * FROM court_records WHERE court_did = $1 AND sha256 = $2 AND document_type = $3 AND case_number = $4', [courtDid, sha256, documentType, caseNumber]);
    return r.rows[0] && courtRecordFromDb(r.rows[0]);
  }

  async courtRecordsByHash(hash: string, limit: number): Promise<CourtRecordRow[]> {
    const r = await this.db.query('SELECT * FROM court_records WHERE sha256 = $1 OR sm3 = $1 ORDER BY ledger_index LIMIT $2', [hash, limit]);
    return r.rows.map(courtRecordFromDb);
  }

  async courtRecordById(evidenceId: string): Promise<CourtRecordRow | undefined> {
    const r = await this.db.query('SELECT * FROM court_records WHERE evidence_id = $1', [evidenceId]);
    return r.rows[0] && courtRecordFromDb(r.rows[0]);
  }

  async putMember(m: Member): Promise<void> {
    await this.db.query('INSERT INTO api_members (did, roles, enabled) VALUES ($1, $2, $3) ON CONFLICT (did) DO UPDATE SET roles = EXCLUDED.roles, enabled = EXCLUDED.enabled',
      [m.did, JSON.stringify(m.roles), m.enabled ? 1 : 0]);
  }

  async get(did: string): Promise<Member | undefined> {
    const r = await this.db.query('SELECT * FROM api_members WHERE did = $1', [did]);
    return r.rows[0] && memberFromDb(r.rows[0]);
  }

  async putAttestations(rows: readonly AttestationIndexRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(`INSERT INTO api_attestations (ledger_index, attestation_id, chain_id, record_type, schema_id, domain, block_height, issued_at)
      SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[]) ON CONFLICT (ledger_index) DO NOTHING`,
    [rows.map((r) => r.ledgerIndex), rows.map((r) => r.attestationId), rows.map((r) => r.chainId), rows.map((r) => r.recordType),
      rows.map((r) => r.schemaId), rows.map((r) => r.domain), rows.map((r) => r.blockHeight), rows.map((r) => r.issuedAt)]);
    const subs = rows.flatMap((r) => r.subjectRefs.map((ref) => [ref, r.ledgerIndex] as const));
    if (subs.length > 0) {
      await this.db.query('INSERT INTO api_attestation_subjects (ref, ledger_index) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING',
        [subs.map((x) => x[0]), subs.map((x) => x[1])]);
    }
  }

  async queryAttestations(q: AttestationQuery): Promise<AttestationIndexRow[]> {
    const { sql, params } = attestationWhere(q, (n) => `$${n}`);
    return (await this.db.query(sql, params)).rows.map(attestationFromDb);
  }

  async scanCursor(): Promise<number> {
    const r = await this.db.query('SELECT scanned_to FROM api_ledger_scan WHERE id = 1');
    return Number(r.rows[0]?.scanned_to ?? 0);
  }

  async setScanCursor(index: number): Promise<void> {
    await this.db.query('UPDATE api_ledger_scan SET scanned_to = GREATEST(scanned_to, $1) WHERE id = 1', [index]);
  }

  async claimTokenUse(key: string, untilSec: number, nowSec: number): Promise<boolean> {
    // One statement decides across replicas: a new key is inserted; an existing one is taken over only if it expired.
    const r = await this.db.query(`INSERT INTO api_token_uses (key, exp) VALUES ($1, $2)
      ON CONFLICT (key) DO UPDATE SET exp = EXCLUDED.exp WHERE api_token_uses.exp < $3 RETURNING 1`, [key, untilSec, nowSec]);
    return r.rowCount === 1;
  }

  async sweepTokenUses(nowSec: number, limit: number): Promise<number> {
    const r = await this.db.query('DELETE FROM api_token_uses WHERE key IN (SELECT key FROM api_token_uses WHERE exp < $1 LIMIT $2)', [nowSec, limit]);
    return r.rowCount ?? 0;
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
