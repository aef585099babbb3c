/** Ledger reads shaped for the public API (hex everywhere, the contract in HELPERS.md "Wave 3"). */
import { toHex } from '../crypto/bytes.js';
import { fail } from '../errors.js';
import type { Ledger, LedgerHead } from '../ledger/ledger.js';
import type { CourtRecordRow } from './store/types.js';

/** `{leafIndex, treeSize, leafHash, proof, root, hashAlg}` of leaf `index` in the tree of `treeSize` (default committed). */
export async function inclusionView(ledger: Ledger, index: number, treeSize?: number) {
  const p = await ledger.proveInclusion(index, treeSize);
  return { leafIndex: p.index, treeSize: p.treeSize, leafHash: toHex(p.leafHash), proof: p.proof.map(toHex), root: toHex(p.root), hashAlg: ledger.meta.hashAlg };
}

/** A signed checkpoint `cp` (note with cosignatures, hex root) with the ledger's hash algorithm, origin and verifier keys from `head`. */
export function checkpointBody(head: LedgerHead, cp: { note: string; treeSize: number; root: string }) {
  return { note: cp.note, treeSize: cp.treeSize, root: cp.root, hashAlg: head.hashAlg, origin: head.origin, verifierKeys: head.verifierKeys };
}

/** The latest signed checkpoint (with cosignatures), or CHECKPOINT_NOT_FOUND before the first one. */
export async function checkpointView(ledger: Ledger) {
  const head = await ledger.head();
  return checkpointBody(head, head.checkpoint ?? fail('CHECKPOINT_NOT_FOUND', { size: head.treeSize }));
}

/** A stored entry: the canonical JSON object, or (for a non-JSON leaf) its base64 bytes. */
export async function entryView(ledger: Ledger, index: number) {
  const e = await ledger.get(index);
  let entry: unknown = null;
  try {
    entry = JSON.parse(Buffer.from(e.data).toString('utf8'));
  } catch {
    entry = null;
  }
  const isObject = typeof entry === 'object' && entry !== null && !Array.isArray(entry);
  return isObject ? { index: e.index, leafHash: e.leafHash, entry } : { index: e.index, leafHash: e.leafHash, entry: null, dataBase64: Buffer.from(e.data).toString('base64') };
}

/** A court record row as the public lookup shows it. */
export function courtRecordView(r: CourtRecordRow) {
  return {
    evidenceId: r.evidenceId, recordedAt: r.recordedAt, kind: r.kind, documentType: r.documentType, caseNumber: r.caseNumber,
    courtDid: r.courtDid, hashes: { sha256: r.sha256, sm3: r.sm3 }, ledgerIndex: r.ledgerIndex, leafHash: r.leafHash,
  };
}

/**
 * The ledger head, re-read at most every `maxAgeMs` (default 1 s). Signed checkpoints never change, so a reader
 * served a checkpoint up to a second old still gets a proof that verifies against a genuine signed root.
 */
export class HeadCache {
  private cached: { at: number; head: Promise<LedgerHead> } | undefined;

  /** Cache the head of `ledger`. */
  constructor(private readonly ledger: Ledger, private readonly maxAgeMs = 1000) {}

  /** The (recent) head. */
  head(): Promise<LedgerHead> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.maxAgeMs) {
      const head = this.ledger.head();
      this.cached = { at: now, head };
      head.catch(() => { if (this.cached?.head === head) this.cached = undefined; });
    }
    return this.cached.head;
  }
}
