/**
 * C2SP signed notes (https://github.com/C2SP/C2SP/blob/main/signed-note.md), interoperable with Go's
 * golang.org/x/mod/sumdb/note: a text ending in a newline, a blank line, then one or more signature lines
 * `— <key name> <base64(key ID (4, big-endian) || signature)>`.
 *
 * openNote checks, in order: the note is at most MAX_NOTE_BYTES, valid Unicode without control characters other
 * than newline; it splits at the last blank line; every signature line is well formed (at most MAX_NOTE_SIGNATURES,
 * no key signs twice); signatures by known keys (name AND key ID match) must verify; signatures by unknown keys are
 * ignored; at least one known key must have signed. Keys and their encodings live in note-keys.ts.
 */
import { fromBase64, toBase64, concatBytes, utf8 } from '../crypto/bytes.js';
import { fail, isCourtBridgeError } from '../errors.js';
import { isValidKeyName, type NoteSigner, type NoteVerifier } from './note-keys.js';

export * from './note-keys.js';

/** Notes longer than this are refused unread (a checkpoint with many cosignatures is well under 64 KiB). */
export const MAX_NOTE_BYTES = 1024 * 1024;
/** At most this many signature lines (the spec asks verifiers to accept at least 16; Go allows 100). */
export const MAX_NOTE_SIGNATURES = 100;

const SIG_PREFIX = '\u2014 '; // em dash, space
const CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** One signature line of a note. */
export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature bytes after the key ID. */
  signature: Uint8Array;
  /** The whole line including the em dash and the final newline. */
  line: string;
}

/** A parsed (not yet verified) note. */
export interface ParsedNote {
  text: string;
  signatures: NoteSignature[];
}

/** An opened note: its text, the verified signatures and the ignored ones (unknown keys). */
export interface OpenedNote {
  text: string;
  sigs: NoteSignature[];
  unverified: NoteSignature[];
}

function decodeNote(note: string | Uint8Array): string {
  if (typeof note === 'string') {
    if (note.length > MAX_NOTE_BYTES || Buffer.byteLength(note) > MAX_NOTE_BYTES) fail('TOO_LARGE', { field: 'note', limit: MAX_NOTE_BYTES });
    if (LONE_SURROGATE.test(note)) fail('NOTE_MALFORMED', { reason: 'not valid Unicode' });
    return note;
  }
  if (!(note instanceof Uint8Array)) return fail('NOTE_MALFORMED', { reason: 'note must be text' });
  if (note.length > MAX_NOTE_BYTES) fail('TOO_LARGE', { field: 'note', limit: MAX_NOTE_BYTES });
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
  } catch {
    return fail('NOTE_MALFORMED', { reason: 'not valid UTF-8' });
  }
}

/** Check note text rules: valid Unicode, no control characters except newline, ends with a newline. */
export function checkNoteText(text: unknown): string {
  if (typeof text !== 'string') return fail('NOTE_MALFORMED', { reason: 'text must be a string' });
  if (LONE_SURROGATE.test(text)) fail('NOTE_MALFORMED', { reason: 'not valid Unicode' });
  if (CONTROL.test(text)) fail('NOTE_MALFORMED', { reason: 'control character in text' });
  if (!text.endsWith('\n')) fail('NOTE_MALFORMED', { reason: 'text must end with a newline' });
  return text;
}

/** Parse one signature line (without its final newline); NOTE_MALFORMED on any defect. */
export function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIG_PREFIX)) fail('NOTE_MALFORMED', { reason: 'signature line must start with an em dash and a space' });
  const rest = line.slice(SIG_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const b64 = space < 0 ? '' : rest.slice(space + 1);
  if (!isValidKeyName(name)) fail('NOTE_MALFORMED', { reason: 'invalid key name in signature line' });
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64, 'signature');
  } catch {
    return fail('NOTE_MALFORMED', { reason: `signature of ${name} is not base64` });
  }
  if (raw.length < 5) fail('NOTE_MALFORMED', { reason: `signature of ${name} is too short` });
  const keyId = Buffer.from(raw.buffer, raw.byteOffset, 4).readUInt32BE(0);
  return { name, keyId, signature: raw.slice(4), line: `${line}\n` };
}

/** Split a signed note into its text and signature lines (syntax only, nothing verified). */
export function parseNote(note: string | Uint8Array): ParsedNote {
  const msg = decodeNote(note);
  if (CONTROL.test(msg)) fail('NOTE_MALFORMED', { reason: 'control character' });
  // The text is separated from the signatures by the last empty line.
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) fail('NOTE_MALFORMED', { reason: 'no blank line before signatures' });
  const text = msg.slice(0, split + 1);
  const block = msg.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) fail('NOTE_MALFORMED', { reason: 'signature block must be non-empty and end with a newline' });
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) fail('NOTE_MALFORMED', { reason: `more than ${MAX_NOTE_SIGNATURES} signatures` });
  const signatures = lines.map(parseSignatureLine);
  // DIFF FROM SPEC: the spec is silent and Go drops repeated lines; we refuse two lines by the same key (name + ID).
  const seen = new Set<string>();
  for (const s of signatures) {
    const key = `${s.name}+${s.keyId}`;
    if (seen.has(key)) fail('NOTE_MALFORMED', { reason: `key ${s.name} signed twice` });
    seen.add(key);
  }
  return { text, signatures };
}

function verifierMap(verifiers: readonly NoteVerifier[]): Map<string, NoteVerifier> {
  const m = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const key = `${v.name}+${v.keyId}`;
    if (m.has(key)) fail('BAD_VERIFIER_KEY', { reason: `ambiguous key ${v.name}` });
    m.set(key, v);
  }
  return m;
}

/**
 * Open a signed note: every signature by a known key must verify (NOTE_SIGNATURE_INVALID), unknown keys are
 * ignored, and at least one known key must have signed (NOTE_UNSIGNED).
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const known = verifierMap(verifiers);
  const parsed = parseNote(note);
  const textBytes = utf8(parsed.text);
  const sigs: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  for (const s of parsed.signatures) {
    const v = known.get(`${s.name}+${s.keyId}`);
    if (v === undefined) {
      unverified.push(s);
      continue;
    }
    let ok: boolean;
    try {
      ok = v.verify(textBytes, s.signature);
    } catch (e) {
      if (!isCourtBridgeError(e)) throw e;
      ok = false; // wrong signature length / encoding by a known key: it does not verify
    }
    if (!ok) fail('NOTE_SIGNATURE_INVALID', { name: s.name });
    sigs.push(s);
  }
  if (sigs.length === 0) fail('NOTE_UNSIGNED', { name: verifiers.map((v) => v.name).join(', ') || '(none given)' });
  return { text: parsed.text, sigs, unverified };
}

/** The signature line of `signer` over `text` (text rules checked). */
export function signatureLine(text: string, signer: NoteSigner): string {
  checkNoteText(text);
  if (!isValidKeyName(signer.name)) fail('BAD_SIGNER_KEY', { reason: 'invalid key name' });
  const id = Buffer.alloc(4);
  id.writeUInt32BE(signer.keyId >>> 0, 0);
  return `${SIG_PREFIX}${signer.name} ${toBase64(concatBytes(id, signer.sign(utf8(text))))}\n`;
}

/** Sign a text with one or more signers: text, blank line, one signature line per signer (in order). */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkNoteText(text);
  if (signers.length === 0) fail('NOTE_UNSIGNED', { name: '(no signer given)' });
  const seen = new Set<string>();
  for (const s of signers) {
    const key = `${s.name}+${s.keyId}`;
    if (seen.has(key)) fail('BAD_SIGNER_KEY', { reason: `signer ${s.name} given twice` });
    seen.add(key);
  }
  return `${text}\n${signers.map((s) => signatureLine(text, s)).join('')}`;
}

/**
 * Append signature lines (e.g. witness cosignatures) to a signed note. The lines must be well formed and by keys
 * not already on the note (NOTE_MALFORMED); nothing is verified here — openNote verifies.
 */
export function addSignatureLines(note: string, lines: readonly string[]): string {
  parseNote(note);
  const joined = lines.map((l) => (l.endsWith('\n') ? l : `${l}\n`)).join('');
  const out = `${note}${joined}`;
  parseNote(out); // re-checks syntax, count and duplicates
  return out;
}
