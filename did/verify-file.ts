/**
 * `courtbridge proof verify` type `did-key`: `{did, publicKeyJwk?, publicKeyHex?}` is valid iff the did:key is well
 * formed and decodes to exactly the given key in every form given — key type and curve included. At least one form
 * must be given (a bare DID proves nothing). Hex: 32 raw bytes for Ed25519; SEC1 compressed or uncompressed for EC.
 */
import { fail, isCourtBridgeError } from '../src/errors.js';
import { bytesEqual, fromHex } from '../src/crypto/bytes.js';
import { decodeDidKey, normalizePublicKey } from './key.js';
import { jwkToPublicKey } from './jwk.js';

/** Verify a `did-key` proof file object; throws DID_KEY_MISMATCH (verify) or an input error. */
export function verifyDidKeyFile(input: Record<string, unknown>): void {
  const did = typeof input.did === 'string' ? input.did : fail('INVALID_INPUT', { field: 'did', reason: 'must be a string' });
  if (input.publicKeyJwk === undefined && input.publicKeyHex === undefined) {
    fail('INVALID_INPUT', { field: 'publicKeyJwk', reason: 'give publicKeyJwk, publicKeyHex or both' });
  }
  let key;
  try {
    key = decodeDidKey(did);
  } catch (e) {
    // A DID that cannot encode any key cannot encode this one: report as a mismatch (verify), keeping the cause.
    if (isCourtBridgeError(e) && (e.code === 'BAD_PUBLIC_KEY' || e.code === 'UNSUPPORTED_ALGORITHM' || e.code === 'DID_INVALID' || e.code === 'INVALID_INPUT' || e.code === 'TOO_LARGE')) {
      return fail('DID_KEY_MISMATCH', { did: did.slice(0, 120), reason: `not a well-formed did:key (${e.code})` }, e);
    }
    throw e;
  }
  if (input.publicKeyJwk !== undefined) {
    const jwkKey = jwkToPublicKey(input.publicKeyJwk, 'publicKeyJwk');
    if (jwkKey.alg !== key.alg) fail('DID_KEY_MISMATCH', { did, reason: `publicKeyJwk is ${jwkKey.alg}, the DID encodes ${key.alg}` });
    if (!bytesEqual(jwkKey.bytes, key.bytes)) fail('DID_KEY_MISMATCH', { did, reason: 'publicKeyJwk is a different key' });
  }
  if (input.publicKeyHex !== undefined) {
    const raw = fromHex(input.publicKeyHex, 'publicKeyHex');
    // Hex carries no type: it must be a valid key of the DID's own type (an Ed25519 key is 32 bytes, EC keys 33/65).
    let hexKey;
    try {
      hexKey = normalizePublicKey(key.alg, raw, 'publicKeyHex');
    } catch (e) {
      return fail('DID_KEY_MISMATCH', { did, reason: `publicKeyHex is not a ${key.alg} key` }, e);
    }
    if (!bytesEqual(hexKey.bytes, key.bytes)) fail('DID_KEY_MISMATCH', { did, reason: 'publicKeyHex is a different key' });
  }
}
