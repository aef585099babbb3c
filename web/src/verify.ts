/**
 * The page's verification, as an ordered list of named steps (each shown to the visitor with its result):
 *  1. lookup     — find the record by 存证编号 or by document hash (SHA-256 / SM3) through the public API;
 *  2. compare    — the document's hashes (computed in the browser) against the recorded ones;
 *  3. checkpoint — the latest checkpoint is a C2SP signed note carrying a valid Ed25519 (and, when present, SM2)
 *                  signature by the ledger's published verifier keys, and its body matches the served size and root;
 *  4. entry      — the ledger entry, re-canonicalised (RFC 8785), hashes to the record's RFC 9162 leaf hash and
 *                  names the document's hash;
 *  5. inclusion  — the inclusion proof leads from that leaf hash to the signed checkpoint's root (RFC 9162 §2.1.3.2).
 * A step that cannot run because an earlier one failed is `skipped`.
 */
import { isCourtBridgeError } from '../../src/errors.js';
import { bytesEqual, toHex, utf8 } from './bytes.js';
import { webHash } from './hashes.js';
import { canonicalize } from './jcs.js';
import { leafHash, verifyInclusion } from './merkle.js';
import { openNote, parseCheckpoint, parseVerifierKey, type WebVerifierKey } from './note.js';
import { fetchCheckpoint, fetchEntry, fetchInclusionProof, lookupRecords, type Fetcher, type PublicRecord } from './api.js';
import { fail } from '../../src/errors.js';

/** 存证编号: CB + UTC date + '-' + ledger index (the same as src/api/court-records.ts EVIDENCE_ID_PATTERN; a test checks). */
export const EVIDENCE_ID = /^CB[0-9]{8}-[0-9]{10,16}$/;

/** Names of the steps, in order. */
export type StepId = 'lookup' | 'compare' | 'checkpoint' | 'entry' | 'inclusion';

/** One step's outcome. */
export interface StepResult {
  id: StepId;
  status: 'ok' | 'failed' | 'skipped';
  /** Error code when failed. */
  code?: string;
  detail: string;
}

/** What the visitor gave: a document's hashes (from a file or pasted) and/or a 存证编号. */
export interface VerifyInput {
  evidenceId?: string;
  /** Hashes of a dropped file (both) or one pasted hash (whichever algorithm it is). */
  hashes?: { sha256?: string; sm3?: string };
  /** A pasted 64-hex hash whose algorithm is not known. */
  hash?: string;
}

/** The verdict: 一致 / 不一致 / 尚未存证, plus the record and the step list. */
export interface VerifyOutcome {
  verdict: 'match' | 'mismatch' | 'not-found' | 'error';
  record?: PublicRecord;
  records: PublicRecord[];
  steps: StepResult[];
  /** True when every ledger step (checkpoint, entry, inclusion) passed. */
  ledgerVerified: boolean;
}

const describe = (e: unknown): { code: string; detail: string } =>
  isCourtBridgeError(e) ? { code: e.code, detail: e.message } : { code: 'INTERNAL', detail: String(e) };

/** True when any string inside `value` (bounded walk) equals one of `needles` (case-insensitive hex). */
function mentions(value: unknown, needles: readonly string[], depth = 0): boolean {
  if (depth > 64) return false;
  if (typeof value === 'string') return needles.includes(value.toLowerCase().replace(/^0x/, ''));
  if (Array.isArray(value)) return value.some((v) => mentions(v, needles, depth + 1));
  if (typeof value === 'object' && value !== null) return Object.values(value).some((v) => mentions(v, needles, depth + 1));
  return false;
}

/** Run the steps against the public API through `fetcher`. */
export async function verifyPublic(fetcher: Fetcher, input: VerifyInput): Promise<VerifyOutcome> {
  const steps: StepResult[] = [];
  const skip = (...ids: StepId[]): void => ids.forEach((id) => steps.push({ id, status: 'skipped', detail: '' }));
  const given = [input.hashes?.sha256, input.hashes?.sm3, input.hash].filter((h): h is string => h !== undefined).map((h) => h.toLowerCase());

  // Step 1: lookup.
  let records: PublicRecord[];
  try {
    if (input.evidenceId !== undefined && input.evidenceId !== '') records = await lookupRecords(fetcher, { evidenceId: input.evidenceId });
    else if (given.length > 0) {
      records = [];
      for (const h of given) {
        records = await lookupRecords(fetcher, { hash: h });
        if (records.length > 0) break;
      }
    } else return fail('INVALID_INPUT', { field: 'query', reason: 'give a file, a hash or a 存证编号' });
  } catch (e) {
    steps.push({ id: 'lookup', status: 'failed', ...describe(e) });
    skip('compare', 'checkpoint', 'entry', 'inclusion');
    return { verdict: 'error', records: [], steps, ledgerVerified: false };
  }
  const record = records[0];
  if (record === undefined) {
    steps.push({ id: 'lookup', status: 'ok', detail: '未找到记录 · no record' });
    skip('compare', 'checkpoint', 'entry', 'inclusion');
    return { verdict: 'not-found', records, steps, ledgerVerified: false };
  }
  steps.push({ id: 'lookup', status: 'ok', detail: `${record.evidenceId} @ ${record.ledgerIndex}` });

  // Step 2: compare the document's hashes with the recorded ones (every hash both sides know must agree).
  let verdict: VerifyOutcome['verdict'] = 'match';
  if (given.length === 0) {
    steps.push({ id: 'compare', status: 'skipped', detail: 'no document given' });
  } else {
    const recorded = [record.hashes.sha256, record.hashes.sm3].filter((h): h is string => h !== undefined);
    const fileOk =
      (input.hashes?.sha256 === undefined || input.hashes.sha256.toLowerCase() === record.hashes.sha256) &&
      (input.hashes?.sm3 === undefined || input.hashes.sm3.toLowerCase() === record.hashes.sm3) &&
      (input.hash === undefined || recorded.includes(input.hash.toLowerCase()));
    if (fileOk) steps.push({ id: 'compare', status: 'ok', detail: recorded.join(' / ') });
    else {
      verdict = 'mismatch';
      steps.push({ id: 'compare', status: 'failed', code: 'ENTRY_MISMATCH', detail: 'document hashes differ from the recorded ones' });
    }
  }

  // Step 3: the signed checkpoint.
  let root: Uint8Array;
  let treeSize: number;
  let hashAlg: string;
  try {
    const cp = await fetchCheckpoint(fetcher);
    const keys = (await Promise.all(cp.verifierKeys.map(parseVerifierKey))).filter((k): k is WebVerifierKey => k !== undefined);
    const opened = await openNote(cp.note, keys, 'ed25519');
    const body = parseCheckpoint(opened.text);
    if (body.treeSize !== cp.treeSize || !bytesEqual(body.root, cp.root)) fail('CHECKPOINT_MALFORMED', { reason: 'signed body differs from the served size/root' });
    root = body.root;
    treeSize = body.treeSize;
    hashAlg = cp.hashAlg;
    webHash(hashAlg);
    const signers = opened.verified.map((k) => `${k.type === 'ed25519' ? 'Ed25519' : 'SM2'} ${k.name}+${k.keyId.toString(16).padStart(8, '0')}`);
    steps.push({ id: 'checkpoint', status: 'ok', detail: `${body.origin} · ${treeSize} · ${hashAlg} · ${signers.join(', ')}` });
  } catch (e) {
    steps.push({ id: 'checkpoint', status: 'failed', ...describe(e) });
    skip('entry', 'inclusion');
    return { verdict, record, records, steps, ledgerVerified: false };
  }
  const h = webHash(hashAlg);

  // Step 4: the ledger entry hashes to the record's leaf hash and names the document.
  let leaf: Uint8Array;
  try {
    const served = await fetchEntry(fetcher, record.ledgerIndex);
    if (served.index !== record.ledgerIndex) fail('ENTRY_MISMATCH', { reason: 'entry index differs' });
    // The server stores RFC 8785 bytes; re-canonicalising the served object gives them back (raw bytes when served).
    leaf = await leafHash(h, served.data ?? utf8(canonicalize(served.entry)));
    if (!bytesEqual(leaf, record.leafHash) || !bytesEqual(leaf, served.leafHash)) fail('ENTRY_MISMATCH', { reason: `recomputed leaf hash ${toHex(leaf)} differs from the served one` });
    const recorded = [record.hashes.sha256, record.hashes.sm3].filter((x): x is string => x !== undefined);
    if (!mentions(served.entry, recorded) && !(served.data !== undefined && mentions(new TextDecoder().decode(served.data), recorded))) fail('ENTRY_MISMATCH', { reason: 'entry does not contain the recorded document hash' });
    steps.push({ id: 'entry', status: 'ok', detail: toHex(leaf) });
  } catch (e) {
    steps.push({ id: 'entry', status: 'failed', ...describe(e) });
    skip('inclusion');
    return { verdict, record, records, steps, ledgerVerified: false };
  }

  // Step 5: inclusion of that leaf in the tree the checkpoint signs.
  try {
    if (record.ledgerIndex >= treeSize) fail('PROOF_SIZE_INVALID', { reason: `entry ${record.ledgerIndex} is newer than the latest signed checkpoint (${treeSize}); 请稍后再试 / try again later` });
    const p = await fetchInclusionProof(fetcher, record.ledgerIndex, treeSize);
    if (p.leafIndex !== record.ledgerIndex || p.treeSize !== treeSize) fail('PROOF_SIZE_INVALID', { reason: 'proof is for another leaf or size' });
    // The proof is checked against the SIGNED root and the RECOMPUTED leaf, never against what the proof says.
    await verifyInclusion(h, record.ledgerIndex, treeSize, leaf, p.proof, root);
    steps.push({ id: 'inclusion', status: 'ok', detail: `${p.proof.length} nodes → ${toHex(root)}` });
  } catch (e) {
    steps.push({ id: 'inclusion', status: 'failed', ...describe(e) });
    return { verdict, record, records, steps, ledgerVerified: false };
  }
  return { verdict, record, records, steps, ledgerVerified: true };
}
