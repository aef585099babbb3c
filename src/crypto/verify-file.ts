/**
 * The `signature` proof type of `courtbridge proof verify`:
 * `{type: "signature", alg, publicKey: hex, message: hex, signature: hex, signatureEncoding?: "raw"|"der",
 *   userId?: string}`. Valid iff the signature verifies. Hex may carry `0x`; unused fields are ignored.
 *
 * Outcome: anything that cannot be parsed — bad hex, wrong lengths, a public key that is not a point, DER that is not
 * DER — is an input-category error (CLI `error`); a well-formed signature that does not verify (including r or s out
 * of range) is SIGNATURE_INVALID (CLI `invalid`).
 */
import { fail, isCourtBridgeError } from '../errors.js';
import { fromHex } from './bytes.js';
import { parseSigAlg, verifySignature, type SigAlg } from './signature.js';
import { SM2_DEFAULT_USER_ID } from './sm2.js';

/** Largest message a signature file may carry (hex-decoded). */
export const MAX_SIGNED_MESSAGE_BYTES = 16 * 1024 * 1024;

/** A parsed `signature` proof file. */
export interface SignatureClaim {
  alg: SigAlg;
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
  encoding: 'raw' | 'der';
  userId: string;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Parse the wire object once into a `SignatureClaim`, naming the bad field. */
export function parseSignatureClaim(input: Record<string, unknown>): SignatureClaim {
  const alg = parseSigAlg(input.alg);
  const encoding = input.signatureEncoding ?? 'raw';
  if (encoding !== 'raw' && encoding !== 'der') fail('INVALID_INPUT', { field: 'signatureEncoding', reason: 'must be "raw" or "der"' });
  if (encoding === 'der' && alg === 'Ed25519') fail('INVALID_INPUT', { field: 'signatureEncoding', reason: 'Ed25519 signatures are raw only' });
  if (typeof input.message === 'string' && input.message.length > 2 * MAX_SIGNED_MESSAGE_BYTES + 2) {
    fail('TOO_LARGE', { field: 'message', limit: MAX_SIGNED_MESSAGE_BYTES });
  }
  const publicKey = fromHex(input.publicKey, 'publicKey');
  if (alg === 'Ed25519' && publicKey.length !== 32) fail('BAD_LENGTH', { field: 'publicKey', expected: 32, actual: publicKey.length });
  if (alg !== 'Ed25519' && publicKey.length !== 33 && publicKey.length !== 65) {
    fail('BAD_LENGTH', { field: 'publicKey', expected: '33 or 65', actual: publicKey.length });
  }
  const message = fromHex(input.message, 'message');
  const signature = encoding === 'raw' ? fromHex(input.signature, 'signature', 64) : fromHex(input.signature, 'signature');
  let userId = SM2_DEFAULT_USER_ID;
  if (input.userId !== undefined && alg === 'SM2') {
    if (typeof input.userId !== 'string' || !PRINTABLE_ASCII.test(input.userId) || input.userId.length > 8191) {
      fail('INVALID_INPUT', { field: 'userId', reason: 'must be printable ASCII, at most 8191 characters' });
    }
    userId = input.userId;
  }
  return { alg, publicKey, message, signature, encoding, userId };
}

/** Check a parsed claim: returns when valid, throws SIGNATURE_INVALID when the signature does not verify. */
export function checkSignatureClaim(claim: SignatureClaim): void {
  let ok: boolean;
  try {
    ok = verifySignature(claim.alg, claim.publicKey, claim.message, claim.signature, { encoding: claim.encoding, userId: claim.userId });
  } catch (e) {
    // Malformed DER is a parse failure of the file, so it is reported as input, not as a failed check.
    if (isCourtBridgeError(e) && e.code === 'BAD_SIGNATURE_ENCODING') fail('INVALID_INPUT', { field: 'signature', reason: `not a well-formed ${claim.encoding} signature` }, e);
    throw e;
  }
  if (!ok) fail('SIGNATURE_INVALID', { alg: claim.alg });
}

/** The `signature` proof-file verifier registered in src/cli/proof-types.ts. */
export function verifySignatureFile(input: Record<string, unknown>): void {
  checkSignatureClaim(parseSignatureClaim(input));
}
