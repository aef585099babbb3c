/**
 * Keys of C2SP signed notes (https://github.com/C2SP/C2SP/blob/main/signed-note.md) in the encodings of Go's
 * golang.org/x/mod/sumdb/note: verifier key `<name>+<hex key ID>+<base64(type || public key)>`, signer key
 * `PRIVATE+KEY+<name>+<hex key ID>+<base64(type || private key)>`, key ID = SHA-256(name || 0x0A || type || public
 * key)[:4] read big-endian.
 *
 * Signature types:
 *  - 0x01 Ed25519 over the note text (signed-note §Ed25519 signatures; byte-for-byte what Go signs and verifies).
 *  - 0x04 timestamped Ed25519 witness cosignature (c2sp.org/tlog-cosignature): the signature is an 8-byte
 *    big-endian POSIX timestamp || Ed25519 over "cosignature/v1\ntime <t>\n" || note text.
 *  - SM2 (consortium extension). DIFF FROM SPEC: C2SP assigns no byte to SM2; it reserves 0xff "for signature types
 *    without an identifier byte assigned by this specification", RECOMMENDED to be followed by a longer identifier.
 *    Our type is therefore the 16 bytes 0xff || ASCII "courtbridge-sm2" (SM2_TYPE below), used in key strings and key IDs;
 *    the public key is SEC1 compressed (33 bytes), the signature raw r || s (64 bytes) by SM2 with SM3 and the
 *    default user ID 1234567812345678 (GB/T 32918.2, GM/T 0009) over the note text.
 */
import { createHash } from 'node:crypto';
import { fromBase64, toBase64, concatBytes, bytesEqual, utf8 } from '../crypto/bytes.js';
import { generateKeyPair, keyPairFromPrivate, sign, signatureVerifier, type KeyPair } from '../crypto/signature.js';
import { fail, type ErrorCode } from '../errors.js';

/** The signature types we implement. */
export type NoteKeyType = 'ed25519' | 'cosignature-ed25519' | 'sm2';

/** Type identifier bytes, as they prefix the key material in key strings and in the key ID hash. */
export const NOTE_KEY_TYPES: Readonly<Record<NoteKeyType, Uint8Array>> = Object.freeze({
  ed25519: Uint8Array.of(0x01),
  'cosignature-ed25519': Uint8Array.of(0x04),
  sm2: concatBytes(Uint8Array.of(0xff), utf8('courtbridge-sm2')),
});
/** The consortium SM2 type identifier (0xff || "courtbridge-sm2"). */
export const SM2_TYPE = NOTE_KEY_TYPES.sm2;

const PUBLIC_KEY_LENGTH: Readonly<Record<NoteKeyType, number>> = { ed25519: 32, 'cosignature-ed25519': 32, sm2: 33 };
const SIG_ALG = { ed25519: 'Ed25519', 'cosignature-ed25519': 'Ed25519', sm2: 'SM2' } as const;

/** A verifier: a name, a key ID and a check of (note text, signature bytes after the key ID). */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly type: NoteKeyType;
  readonly publicKey: Uint8Array;
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** A signer: makes the signature bytes (after the key ID) over the note text. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  readonly type: NoteKeyType;
  readonly publicKey: Uint8Array;
  /** Cosignature keys put `timestamp` (POSIX seconds; default now) in front; other types ignore it. */
  sign(text: Uint8Array, timestamp?: number): Uint8Array;
}

// Go's unicode.IsSpace: ASCII whitespace, U+0085, U+00A0 and the Unicode Z category spaces.
const UNICODE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Key names: non-empty, valid Unicode, no Unicode spaces, no '+' (signed-note §Format). */
export function isValidKeyName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && !UNICODE_SPACE.test(name) && !name.includes('+') && !LONE_SURROGATE.test(name);
}

/** Key ID = SHA-256(name || 0x0A || type || public key)[:4] as a big-endian uint32. */
export function noteKeyId(name: string, type: NoteKeyType, publicKey: Uint8Array): number {
  const d = createHash('sha256').update(utf8(name)).update('\n').update(NOTE_KEY_TYPES[type]).update(publicKey).digest();
  return d.readUInt32BE(0);
}

function typeOf(material: Uint8Array, code: ErrorCode): { type: NoteKeyType; key: Uint8Array } {
  for (const type of Object.keys(NOTE_KEY_TYPES) as NoteKeyType[]) {
    const prefix = NOTE_KEY_TYPES[type];
    if (material.length > prefix.length && bytesEqual(material.subarray(0, prefix.length), prefix)) {
      return { type, key: material.slice(prefix.length) };
    }
  }
  return fail(code, { reason: `unknown signature type 0x${(material[0] ?? 0).toString(16).padStart(2, '0')}` });
}

function parseKeyId(hex: string | undefined, code: ErrorCode): number {
  if (hex === undefined || !/^[0-9a-f]{8}$/.test(hex)) fail(code, { reason: 'key ID must be 8 lower-case hex digits' });
  return Number.parseInt(hex, 16);
}

/** Split at the first `n` '+' signs into n + 1 parts (the last part keeps any further '+'). */
function chop(s: string, n: number, code: ErrorCode, reason: string): string[] {
  const out: string[] = [];
  let rest = s;
  for (let i = 0; i < n; i++) {
    const at = rest.indexOf('+');
    if (at < 0) fail(code, { reason });
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

const hex8 = (id: number): string => id.toString(16).padStart(8, '0');

function checkPublicKey(type: NoteKeyType, key: Uint8Array, code: ErrorCode): void {
  if (key.length !== PUBLIC_KEY_LENGTH[type]) fail(code, { reason: `${type} public key must be ${PUBLIC_KEY_LENGTH[type]} bytes, got ${key.length}` });
  if (type === 'sm2' && key[0] !== 0x02 && key[0] !== 0x03) fail(code, { reason: 'SM2 public key must be SEC1 compressed' });
}

/** Build a verifier from its parts (the key is checked now: BAD_VERIFIER_KEY). */
export function noteVerifier(name: string, type: NoteKeyType, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) fail('BAD_VERIFIER_KEY', { reason: 'invalid key name' });
  checkPublicKey(type, publicKey, 'BAD_VERIFIER_KEY');
  let check: (m: Uint8Array, s: Uint8Array) => boolean;
  try {
    check = signatureVerifier(SIG_ALG[type], publicKey);
  } catch (e) {
    return fail('BAD_VERIFIER_KEY', { reason: 'public key is not a valid curve point' }, e);
  }
  const verify = type === 'cosignature-ed25519' ? cosignatureCheck(check) : check;
  return Object.freeze({ name, keyId: noteKeyId(name, type, publicKey), type, publicKey: Uint8Array.from(publicKey), verify });
}

/** The message a tlog-cosignature/v1 Ed25519 signature covers: "cosignature/v1\ntime <t>\n" || note text. */
export function cosignatureMessage(timestamp: bigint, text: Uint8Array): Uint8Array {
  return concatBytes(utf8(`cosignature/v1\ntime ${timestamp.toString()}\n`), text);
}

function cosignatureCheck(check: (m: Uint8Array, s: Uint8Array) => boolean): (text: Uint8Array, sig: Uint8Array) => boolean {
  return (text, sig) => {
    if (sig.length !== 72) return false;
    const ts = Buffer.from(sig.buffer, sig.byteOffset, 8).readBigUInt64BE(0);
    if (ts > 2n ** 63n - 1n) return false; // tlog-cosignature: MUST NOT exceed 2^63 - 1
    return check(cosignatureMessage(ts, text), sig.subarray(8));
  };
}

/** Parse `<name>+<hex key ID>+<base64(type || public key)>`; BAD_VERIFIER_KEY on any defect or key ID mismatch. */
export function parseVerifierKey(vkey: unknown): NoteVerifier {
  if (typeof vkey !== 'string') return fail('BAD_VERIFIER_KEY', { reason: 'must be a string' });
  // Like Go's chop: name and key ID end at the first two '+'; the base64 key may itself contain '+'.
  const [name, idHex, b64] = chop(vkey, 2, 'BAD_VERIFIER_KEY', 'expected name+keyid+key') as [string, string, string];
  if (!isValidKeyName(name)) fail('BAD_VERIFIER_KEY', { reason: 'invalid key name' });
  const id = parseKeyId(idHex, 'BAD_VERIFIER_KEY');
  let material: Uint8Array;
  try {
    material = fromBase64(b64, 'verifier key');
  } catch (e) {
    return fail('BAD_VERIFIER_KEY', { reason: 'key is not base64' }, e);
  }
  const { type, key } = typeOf(material, 'BAD_VERIFIER_KEY');
  const v = noteVerifier(name, type, key);
  if (v.keyId !== id) fail('BAD_VERIFIER_KEY', { reason: 'key ID does not match the key' });
  return v;
}

/** Format a verifier key string. */
export function formatVerifierKey(v: Pick<NoteVerifier, 'name' | 'type' | 'publicKey'>): string {
  const id = noteKeyId(v.name, v.type, v.publicKey);
  return `${v.name}+${hex8(id)}+${toBase64(concatBytes(NOTE_KEY_TYPES[v.type], v.publicKey))}`;
}

/** Build a signer from a name, type and 32-byte private key (Ed25519 seed / SM2 scalar). */
export function noteSigner(name: string, type: NoteKeyType, privateKey: Uint8Array): NoteSigner {
  if (!isValidKeyName(name)) fail('BAD_SIGNER_KEY', { reason: 'invalid key name' });
  if (privateKey.length !== 32) fail('BAD_SIGNER_KEY', { reason: 'private key must be 32 bytes' });
  let kp: KeyPair;
  try {
    kp = keyPairFromPrivate(SIG_ALG[type], privateKey);
  } catch (e) {
    return fail('BAD_SIGNER_KEY', { reason: 'private key out of range' }, e);
  }
  const keyId = noteKeyId(name, type, kp.publicKey);
  const signText =
    type === 'cosignature-ed25519'
      ? (text: Uint8Array, timestamp?: number) => {
          const ts = timestamp ?? Math.floor(Date.now() / 1000);
          if (!Number.isSafeInteger(ts) || ts < 0) fail('BAD_INTEGER', { field: 'timestamp' });
          const tsBytes = Buffer.alloc(8);
          tsBytes.writeBigUInt64BE(BigInt(ts), 0);
          return concatBytes(tsBytes, sign(kp, cosignatureMessage(BigInt(ts), text)));
        }
      : (text: Uint8Array) => sign(kp, text);
  return Object.freeze({ name, keyId, type, publicKey: kp.publicKey, sign: signText });
}

/** Parse `PRIVATE+KEY+<name>+<hex key ID>+<base64(type || private key)>`; BAD_SIGNER_KEY on any defect. */
export function parseSignerKey(skey: unknown): NoteSigner {
  if (typeof skey !== 'string') return fail('BAD_SIGNER_KEY', { reason: 'must be a string' });
  const [priv, keyWord, name, idHex, b64] = chop(skey, 4, 'BAD_SIGNER_KEY', 'expected PRIVATE+KEY+name+keyid+key') as [string, string, string, string, string];
  if (priv !== 'PRIVATE' || keyWord !== 'KEY') fail('BAD_SIGNER_KEY', { reason: 'expected PRIVATE+KEY+name+keyid+key' });
  const id = parseKeyId(idHex, 'BAD_SIGNER_KEY');
  let material: Uint8Array;
  try {
    material = fromBase64(b64, 'signer key');
  } catch (e) {
    return fail('BAD_SIGNER_KEY', { reason: 'key is not base64' }, e);
  }
  const { type, key } = typeOf(material, 'BAD_SIGNER_KEY');
  const s = noteSigner(name, type, key);
  if (s.keyId !== id) fail('BAD_SIGNER_KEY', { reason: 'key ID does not match the key' });
  return s;
}

/** Format a signer key string (secret!). */
export function formatSignerKey(name: string, type: NoteKeyType, privateKey: Uint8Array): string {
  const s = noteSigner(name, type, privateKey);
  return `PRIVATE+KEY+${name}+${hex8(s.keyId)}+${toBase64(concatBytes(NOTE_KEY_TYPES[type], privateKey))}`;
}

/** Generate a fresh key: the signer key string (secret) and the verifier key string (public). */
export function generateNoteKey(name: string, type: NoteKeyType = 'ed25519'): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) fail('BAD_SIGNER_KEY', { reason: 'invalid key name' });
  const kp = generateKeyPair(SIG_ALG[type]);
  return { signerKey: formatSignerKey(name, type, kp.privateKey), verifierKey: formatVerifierKey({ name, type, publicKey: kp.publicKey }) };
}
