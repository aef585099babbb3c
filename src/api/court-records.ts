/**
 * Court records of its own (SPC opinion 法发〔2022〕16号 §九, §十一, §十二): a court attests the SHA-256 AND SM3 of a
 * litigation document, service receipt (送达回执), e-file, case-closure status or enforcement operation.
 *
 * Ledger entry (canonical JSON, RFC 8785) — hashes, types, case number, court DID and time only, NO personal data:
 *   {type: 'courtbridge.court-record/v1', kind, documentType, caseNumber, courtDid, hashes: {sha256, sm3}, recordedAt}
 *
 * 存证编号 (evidence id): `CB` + UTC date of recording (YYYYMMDD) + `-` + ledger index, zero-padded to 10 digits,
 * e.g. `CB20261126-0000000042`. It is derived from the durable receipt, so it is unique and names the leaf directly.
 *
 * Idempotent on (court DID, sha256, documentType, caseNumber): a repeat returns the stored record (created = false).
 * Concurrent repeats in this process are serialised per key; across processes the unique index keeps one row.
 * The append and the index row are two transactions: `repair()` (run when the court plugin starts) indexes every
 * court-record leaf above a scan cursor, so a leaf whose row was lost in a crash is found by the client's retry.
 */
import { fail } from '../errors.js';
import { normalizeCaseNumber } from '../ids/case-number.js';
import type { Ledger } from '../ledger/ledger.js';
import { toHex } from '../crypto/bytes.js';
import { attestationRowOfLeaf } from './attestation-index.js';
import type { ApiStore, AttestationIndexRow, CourtRecordRow } from './store/types.js';

/** Ledger entry type of court records. */
export const COURT_RECORD_TYPE = 'courtbridge.court-record/v1';

/** Kinds of court record. */
export const COURT_RECORD_KINDS = ['court-document', 'service-receipt', 'e-file', 'case-closure', 'enforcement'] as const;

/** A kind of court record. */
export type CourtRecordKind = (typeof COURT_RECORD_KINDS)[number];

/** Enforcement operations (documentType of kind `enforcement`). */
export const ENFORCEMENT_OPERATIONS = ['notice', 'property-inquiry', 'freeze', 'disposal', 'payment'] as const;

/**
 * Document types are short labels (判决书, 裁定书, 送达回执, …): CJK, Latin letters, digits and `-`, 1–32 characters —
 * no spaces or punctuation, so a name or an ID number cannot ride along in a sentence.
 */
export const DOCUMENT_TYPE_PATTERN = '^[\\u4e00-\\u9fffA-Za-z][\\u4e00-\\u9fffA-Za-z0-9-]{0,31}$';

/** 存证编号 pattern. */
export const EVIDENCE_ID_PATTERN = '^CB[0-9]{8}-[0-9]{10,16}$';

/** What a court submits (already schema-checked at the edge). */
export interface CourtRecordInput {
  kind: CourtRecordKind;
  documentType: string;
  caseNumber: string;
  hashes: { sha256: string; sm3: string };
}

/** The 存证编号 of a leaf recorded at `recordedAt`. */
export function evidenceIdOf(recordedAt: string, ledgerIndex: number): string {
  return `CB${recordedAt.slice(0, 10).replaceAll('-', '')}-${String(ledgerIndex).padStart(10, '0')}`;
}

/** Leaves indexed between two stores of the scan cursor. */
const CURSOR_STRIDE = 512;

/** Attests court records in the ledger and indexes them. */
export class CourtRecords {
  private readonly inflight = new Map<string, Promise<{ row: CourtRecordRow; created: boolean }>>();

  /** `now` in milliseconds (tests). */
  constructor(private readonly ledger: Ledger, private readonly store: ApiStore, private readonly now: () => number = Date.now) {}

  /** Record `input` for `courtDid`; resolves once the leaf and its index row are durable. */
  attest(courtDid: string, input: CourtRecordInput): Promise<{ row: CourtRecordRow; created: boolean }> {
    // Step 1: parse at the edge — case number normalised (CASE_NUMBER_INVALID), hashes lower-case.
    const caseNumber = normalizeCaseNumber(input.caseNumber, 'caseNumber');
    if (input.kind === 'enforcement' && !(ENFORCEMENT_OPERATIONS as readonly string[]).includes(input.documentType)) {
      fail('INVALID_INPUT', { field: 'documentType', reason: `an enforcement record is one of ${ENFORCEMENT_OPERATIONS.join(', ')}` });
    }
    const sha256 = input.hashes.sha256.toLowerCase();
    const sm3 = input.hashes.sm3.toLowerCase();
    const key = JSON.stringify([courtDid, sha256, input.documentType, caseNumber]);
    const running = this.inflight.get(key);
    if (running) return running.then((r) => ({ row: r.row, created: false }));
    const p = this.attestOnce(courtDid, { ...input, caseNumber, hashes: { sha256, sm3 } }).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private scanning: Promise<number> | undefined;

  /**
   * Index court-record and relay-attestation leaves in [cursor, size) in pages of 512; returns the leaves scanned.
   * Runs at start and before each attestation query; concurrent callers share one scan.
   */
  repair(): Promise<number> {
    this.scanning ??= this.scan().finally(() => { this.scanning = undefined; });
    return this.scanning;
  }

  /** How far this process has indexed (the stored cursor may lag it by less than CURSOR_STRIDE leaves). */
  private scannedTo = 0;
  /** What this process last stored as the cursor. */
  private storedTo = 0;

  private async scan(): Promise<number> {
    // The stored cursor is shared by every API process and survives restarts; indexing is idempotent (index rows are
    // checked before they are put, attestation rows are put ON CONFLICT DO NOTHING), so it is stored only every
    // CURSOR_STRIDE leaves: after a court write each court query used to store it, a durable transaction (an fsync
    // at synchronous = FULL) blocking the event loop (issue 7, load test). A restart re-indexes < CURSOR_STRIDE leaves.
    const size = await this.ledger.size();
    if (size <= this.scannedTo) return 0; // nothing new since this process's last scan: no cursor read either
    const from = Math.max(this.scannedTo, await this.store.scanCursor());
    for (let i = from; i < size; i += 512) {
      const to = Math.min(size, i + 512);
      const attestations: AttestationIndexRow[] = [];
      for (const leaf of await this.ledger.store.leaves(i, to)) {
        const row = courtRecordOfLeaf(leaf.data, leaf.index, toHex(leaf.leafHash));
        // Rows this process wrote at attest time are already there: re-putting each cost a durable transaction
        // (an fsync at synchronous = FULL) per leaf on every query after a write (issue 7, load test).
        if (row && (await this.store.findCourtRecord(row.courtDid, row.sha256, row.documentType, row.caseNumber)) === undefined) await this.store.putCourtRecord(row);
        const att = row ? undefined : attestationRowOfLeaf(leaf.data, leaf.index);
        if (att) attestations.push(att);
      }
      await this.store.putAttestations(attestations);
      this.scannedTo = to;
      if (to - this.storedTo >= CURSOR_STRIDE) {
        await this.store.setScanCursor(to);
        this.storedTo = to;
      }
    }
    return Math.max(0, size - from);
  }

  private async attestOnce(courtDid: string, input: CourtRecordInput): Promise<{ row: CourtRecordRow; created: boolean }> {
    // Step 2: idempotency — the same court, hash, type and case answer with the stored record.
    const existing = await this.store.findCourtRecord(courtDid, input.hashes.sha256, input.documentType, input.caseNumber);
    if (existing) return { row: existing, created: false };
    // Step 3: durable ledger append of the canonical entry.
    const recordedAt = new Date(this.now()).toISOString();
    const entry = { type: COURT_RECORD_TYPE, kind: input.kind, documentType: input.documentType, caseNumber: input.caseNumber, courtDid, hashes: input.hashes, recordedAt };
    const receipt = await this.ledger.append(entry);
    // Step 4: index row (the unique key keeps one row if another process raced us).
    return this.store.putCourtRecord({
      evidenceId: evidenceIdOf(recordedAt, receipt.index), kind: input.kind, documentType: input.documentType, caseNumber: input.caseNumber,
      courtDid, sha256: input.hashes.sha256, sm3: input.hashes.sm3, ledgerIndex: receipt.index, leafHash: receipt.leafHash, recordedAt,
    });
  }
}

const HEX64_RE = /^[0-9a-f]{64}$/;

/** The index row of a court-record leaf, or undefined for any other leaf. */
export function courtRecordOfLeaf(data: Uint8Array, ledgerIndex: number, leafHash: string): CourtRecordRow | undefined {
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof e !== 'object' || e === null || e.type !== COURT_RECORD_TYPE) return undefined;
  const h = e.hashes as Record<string, unknown> | undefined;
  const { kind, documentType, caseNumber, courtDid, recordedAt } = e;
  if (typeof kind !== 'string' || typeof documentType !== 'string' || typeof caseNumber !== 'string' || typeof courtDid !== 'string' || typeof recordedAt !== 'string') return undefined;
  if (typeof h?.sha256 !== 'string' || typeof h.sm3 !== 'string' || !HEX64_RE.test(h.sha256) || !HEX64_RE.test(h.sm3)) return undefined;
  return { evidenceId: evidenceIdOf(recordedAt, ledgerIndex), kind, documentType, caseNumber, courtDid, sha256: h.sha256, sm3: h.sm3, ledgerIndex, leafHash, recordedAt };
}
