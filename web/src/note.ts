/**
 * C2SP signed notes and tlog-checkpoints checked in the browser (https://github.com/C2SP/C2SP/blob/main/signed-note.md,
 * tlog-checkpoint.md), matching src/ledger/note.ts + note-keys.ts + checkpoint.ts:
 * verifier key `<name>+<hex key ID>+<base64(type || public key)>`, key ID = SHA-256(name || 0x0A || type || key)[:4];
 * signature lines `— <name> <base64(key ID || signature)>` after the last blank line.
 * Ed25519 (type 0x01) verifies with WebCrypto; the consortium SM2 type (0xff || "courtbridge-sm2", see
 * src/ledger/note-keys.ts for the DIFF FROM SPEC) with sm-crypto-v2 (SM3 with Z_A of user ID 1234567812345678).
 */
import { sm2 } from 'sm-crypto-v2';
import { fail } from '../../src/errors.js';
import { bytesEqual, concatBytes, fromBase64, plain, toHex, utf8 } from './bytes.js';
import { sha256 } from './hashes.js';

/** Signature types the page checks. */
export type WebNoteKeyType = 'ed25519' | 'sm2';

const TYPES: Readonly<Record<WebNoteKeyType, Uint8Array>> = {
  ed25519: Uint8Array.of(0x01),
  sm2: concatBytes(Uint8Array.of(0xff), utf8('courtbridge-sm2')),
};
const KEY_LENGTH: Readonly<Record<WebNoteKeyType, number>> = { ed25519: 32, sm2: 33 };

/** A parsed verifier key. */
export interface WebVerifierKey {
  name: string;
  keyId: number;
  type: WebNoteKeyType;
  publicKey: Uint8Array;
}

/** One signature line. */
export interface WebNoteSignature {
  name: string;
  keyId: number;
  signature: Uint8Array;
}

/** A checkpoint body (tlog-checkpoint). */
export interface WebCheckpoint {
  origin: string;
  treeSize: number;
  root: Uint8Array;
}

/** Key ID = SHA-256(name || 0x0A || type || public key)[:4], big-endian. */
export async function noteKeyId(name: string, type: WebNoteKeyType, publicKey: Uint8Array): Promise<number> {
  const d = await sha256(utf8(name), Uint8Array.of(0x0a), TYPES[type], publicKey);
  return new DataView(d.buffer, d.byteOffset, 4).getUint32(0);
}

/** Parse a verifier key string; the key ID must match the key (BAD_VERIFIER_KEY). Unknown types → undefined. */
export async function parseVerifierKey(key: string): Promise<WebVerifierKey | undefined> {
  // Split at the first two '+' only: the base64 key material may itself contain '+'.
  const a = key.indexOf('+');
  const b = a < 0 ? -1 : key.indexOf('+', a + 1);
  if (b < 0) return fail('BAD_VERIFIER_KEY', { reason: 'expected name+keyid+key' });
  const [name, idHex, b64] = [key.slice(0, a), key.slice(a + 1, b), key.slice(b + 1)];
  if (name.length === 0 || /\s/.test(name)) fail('BAD_VERIFIER_KEY', { reason: 'invalid key name' });
  if (!/^[0-9a-f]{8}$/.test(idHex)) fail('BAD_VERIFIER_KEY', { reason: 'key ID must be 8 lower-case hex digits' });
  let material: Uint8Array;
  try {
    material = fromBase64(b64, 'verifier key');
  } catch (e) {
    return fail('BAD_VERIFIER_KEY', { reason: 'key is not base64' }, e);
  }
  const type = (Object.keys(TYPES) as WebNoteKeyType[]).find((t) => material.length > TYPES[t].length && bytesEqual(material.subarray(0, TYPES[t].length), TYPES[t]));
  if (type === undefined) return undefined;
  const publicKey = material.slice(TYPES[type].length);
  if (publicKey.length !== KEY_LENGTH[type]) fail('BAD_VERIFIER_KEY', { reason: `${type} public key must be ${KEY_LENGTH[type]} bytes` });
  const keyId = await noteKeyId(name, type, publicKey);
  if (keyId !== Number.parseInt(idHex, 16)) fail('BAD_VERIFIER_KEY', { reason: 'key ID does not match the key' });
  return { name, keyId, type, publicKey };
}

/** Split a signed note into its text and signature lines (NOTE_MALFORMED on any defect). */
export function parseNote(note: string): { text: string; signatures: WebNoteSignature[] } {
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) fail('NOTE_MALFORMED', { reason: 'control character' });
  const split = note.lastIndexOf('\n\n');
  if (split < 0) fail('NOTE_MALFORMED', { reason: 'no blank line before signatures' });
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) fail('NOTE_MALFORMED', { reason: 'signature block must end with a newline' });
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > 100) fail('NOTE_MALFORMED', { reason: 'more than 100 signatures' });
  const signatures = lines.map((line): WebNoteSignature => {
    const m = /^\u2014 ([^ +]+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (m === null) return fail('NOTE_MALFORMED', { reason: 'bad signature line' });
    const raw = fromBase64(m[2], 'signature');
    if (raw.length < 5) fail('NOTE_MALFORMED', { reason: 'signature too short' });
    return { name: m[1]!, keyId: new DataView(raw.buffer, raw.byteOffset, 4).getUint32(0), signature: raw.slice(4) };
  });
  return { text, signatures };
}

async function verifyOne(key: WebVerifierKey, text: Uint8Array, signature: Uint8Array): Promise<boolean> {
  switch (key.type) {
    case 'ed25519': {
      if (signature.length !== 64) return false;
      const k = await crypto.subtle.importKey('raw', plain(key.publicKey), { name: 'Ed25519' }, false, ['verify']);
      return crypto.subtle.verify({ name: 'Ed25519' }, k, plain(signature), plain(text));
    }
    case 'sm2':
      if (signature.length !== 64) return false;
      try {
        return sm2.doVerifySignature(text, toHex(signature), toHex(key.publicKey), { hash: true, der: false });
      } catch {
        return false;
      }
  }
}

/** The result of checking a note against keys: which key verified, which failed, which were not on the note. */
export interface NoteCheck {
  text: string;
  verified: WebVerifierKey[];
}

/**
 * Verify a signed note: every signature by a given key must verify (NOTE_SIGNATURE_INVALID) and at least one given
 * key of type `require` must have signed (NOTE_UNSIGNED); signatures by other keys are ignored (signed-note §Verifying).
 */
export async function openNote(note: string, keys: readonly WebVerifierKey[], require: WebNoteKeyType = 'ed25519'): Promise<NoteCheck> {
  const { text, signatures } = parseNote(note);
  const textBytes = utf8(text);
  const verified: WebVerifierKey[] = [];
  for (const s of signatures) {
    const key = keys.find((k) => k.name === s.name && k.keyId === s.keyId);
    if (key === undefined) continue;
    if (!(await verifyOne(key, textBytes, s.signature))) fail('NOTE_SIGNATURE_INVALID', { name: `${key.name} (${key.type})` });
    verified.push(key);
  }
  if (!verified.some((k) => k.type === require)) fail('NOTE_UNSIGNED', { name: keys.filter((k) => k.type === require).map((k) => k.name).join(', ') || '(no key)' });
  return { text, verified };
}

/** Parse a tlog-checkpoint body: origin, decimal size without leading zeroes, base64 32-byte root (CHECKPOINT_MALFORMED). */
export function parseCheckpoint(text: string): WebCheckpoint {
  if (!text.endsWith('\n')) fail('CHECKPOINT_MALFORMED', { reason: 'must end with a newline' });
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || lines.some((l) => l.length === 0)) fail('CHECKPOINT_MALFORMED', { reason: 'needs origin, size and root lines' });
  const [origin, size, root] = lines as [string, string, string];
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) fail('CHECKPOINT_MALFORMED', { reason: 'bad tree size' });
  let rootBytes: Uint8Array;
  try {
    rootBytes = fromBase64(root, 'root');
  } catch (e) {
    return fail('CHECKPOINT_MALFORMED', { reason: 'root is not base64' }, e);
  }
  if (rootBytes.length !== 32) fail('CHECKPOINT_MALFORMED', { reason: 'root must be 32 bytes' });
  return { origin, treeSize: Number(size), root: rootBytes };
}
