/**
 * C2SP tlog-checkpoint bodies (https://github.com/C2SP/C2SP/blob/main/tlog-checkpoint.md) and tlog-cosignature
 * witness cosignatures (https://github.com/C2SP/C2SP/blob/main/tlog-cosignature.md, Ed25519 type 0x04).
 *
 * Body: origin line, tree size in decimal without leading zeroes, base64 root hash, optional non-empty extension
 * lines, each ending in a newline. The ledger signs the body as a signed note (note.ts); witnesses add cosignature
 * lines whose signature is timestamp (8 bytes, big-endian) || Ed25519 over "cosignature/v1\ntime <t>\n" || body.
 */
import { fromBase64, toBase64, utf8 } from '../crypto/bytes.js';
import { fail, isCourtBridgeError } from '../errors.js';
import { addSignatureLines, checkNoteText, openNote, parseNote, signatureLine, signNote, type NoteSignature, type OpenedNote } from './note.js';
import type { NoteSigner, NoteVerifier } from './note-keys.js';

/** The parts of a checkpoint body. */
export interface Checkpoint {
  origin: string;
  treeSize: number;
  root: Uint8Array;
  extensions: string[];
}

/** Format a checkpoint body (the note text). */
export function formatCheckpoint(cp: Checkpoint): string {
  if (typeof cp.origin !== 'string' || cp.origin.length === 0 || cp.origin.includes('\n')) fail('CHECKPOINT_MALFORMED', { reason: 'origin must be one non-empty line' });
  if (!Number.isSafeInteger(cp.treeSize) || cp.treeSize < 0) fail('BAD_INTEGER', { field: 'treeSize' });
  if (!(cp.root instanceof Uint8Array) || cp.root.length !== 32) fail('CHECKPOINT_MALFORMED', { reason: 'root hash must be 32 bytes' });
  for (const e of cp.extensions) {
    if (e.length === 0 || e.includes('\n')) fail('CHECKPOINT_MALFORMED', { reason: 'extension lines must be single non-empty lines' });
  }
  const text = [cp.origin, String(cp.treeSize), toBase64(cp.root), ...cp.extensions].map((l) => `${l}\n`).join('');
  try {
    return checkNoteText(text);
  } catch (e) {
    return fail('CHECKPOINT_MALFORMED', { reason: 'not a valid note text' }, e);
  }
}

/** Parse a checkpoint body; CHECKPOINT_MALFORMED on any defect (tree sizes beyond 2^53 - 1 included). */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) fail('CHECKPOINT_MALFORMED', { reason: 'must end with a newline' });
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) fail('CHECKPOINT_MALFORMED', { reason: 'needs origin, size and root lines' });
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  if (lines.some((l) => l.length === 0)) fail('CHECKPOINT_MALFORMED', { reason: 'empty line' });
  if (!/^(0|[1-9][0-9]*)$/.test(size)) fail('CHECKPOINT_MALFORMED', { reason: 'tree size must be decimal without leading zeroes' });
  const treeSize = Number(size);
  if (!Number.isSafeInteger(treeSize)) fail('CHECKPOINT_MALFORMED', { reason: 'tree size exceeds 2^53 - 1' });
  let rootBytes: Uint8Array;
  try {
    rootBytes = fromBase64(root, 'root');
  } catch (e) {
    return fail('CHECKPOINT_MALFORMED', { reason: 'root hash is not base64' }, e);
  }
  if (rootBytes.length !== 32) fail('CHECKPOINT_MALFORMED', { reason: `root hash must be 32 bytes, got ${rootBytes.length}` });
  return { origin, treeSize, root: rootBytes, extensions };
}

/** Format and sign a checkpoint with the log's keys (the key names SHOULD equal the origin). */
export function signCheckpoint(cp: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(cp), signers);
}

/** Open a signed checkpoint note (openNote rules), parse its body and, when given, require the origin. */
export function openCheckpoint(note: string, verifiers: readonly NoteVerifier[], expectOrigin?: string): OpenedNote & { checkpoint: Checkpoint } {
  const opened = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(opened.text);
  if (expectOrigin !== undefined && checkpoint.origin !== expectOrigin) fail('CHECKPOINT_MALFORMED', { reason: `origin is not ${expectOrigin}` });
  return { ...opened, checkpoint };
}

/** A witness cosignature line (type 0x04) over a checkpoint body at `timestamp` (POSIX seconds). */
export function cosignatureLine(checkpointText: string, cosigner: NoteSigner, timestamp: number): string {
  if (cosigner.type !== 'cosignature-ed25519') fail('BAD_SIGNER_KEY', { reason: 'cosigner key must have type 0x04' });
  parseCheckpoint(checkpointText);
  return signatureLine(checkpointText, { ...cosigner, sign: (text: Uint8Array) => cosigner.sign(text, timestamp) });
}

/** Cosign a signed checkpoint note: its text gets a cosignature line by `cosigner`, appended to the note. */
export function cosignCheckpoint(signedNote: string, cosigner: NoteSigner, timestamp: number): string {
  const { text } = parseNote(signedNote);
  return addSignatureLines(signedNote, [cosignatureLine(text, cosigner, timestamp)]);
}

/**
 * Verify one cosignature line by `witness` (a type 0x04 verifier) over a checkpoint body; returns its timestamp.
 * NOTE_MALFORMED when the line cannot be parsed, NOTE_UNSIGNED when it is by another key, NOTE_SIGNATURE_INVALID
 * when it does not verify.
 */
export function verifyCosignature(checkpointText: string, line: string, witness: NoteVerifier): { timestamp: number; signature: NoteSignature } {
  if (witness.type !== 'cosignature-ed25519') fail('BAD_VERIFIER_KEY', { reason: 'witness key must have type 0x04' });
  parseCheckpoint(checkpointText);
  const [sig] = parseNote(`${checkpointText}\n${line.endsWith('\n') ? line : `${line}\n`}`).signatures;
  if (sig === undefined || sig.name !== witness.name || sig.keyId !== witness.keyId) return fail('NOTE_UNSIGNED', { name: witness.name });
  let ok = false;
  try {
    ok = witness.verify(utf8(checkpointText), sig.signature);
  } catch (e) {
    if (!isCourtBridgeError(e)) throw e;
  }
  if (!ok) fail('NOTE_SIGNATURE_INVALID', { name: witness.name });
  const ts = Buffer.from(sig.signature.buffer, sig.signature.byteOffset, 8).readBigUInt64BE(0);
  // Timestamps above 2^53 - 1 seconds (285 million years) are refused rather than rounded.
  if (ts > BigInt(Number.MAX_SAFE_INTEGER)) fail('NOTE_SIGNATURE_INVALID', { name: witness.name });
  return { timestamp: Number(ts), signature: sig };
}
