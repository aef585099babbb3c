/**
 * Hashes in the browser: SHA-256 through WebCrypto (`crypto.subtle.digest`) and SM3 (GB/T 32905-2016) through
 * sm-crypto-v2 (WebCrypto has no SM3). Nothing leaves the browser: a dropped file is hashed here.
 */
import { sm3 as sm3Hex } from 'sm-crypto-v2';
import { fail } from '../../src/errors.js';
import { concatBytes, fromHex, plain, toHex } from './bytes.js';

/** Hash algorithms a ledger may use. */
export type WebHashAlg = 'sha256' | 'sm3';

/** A 32-byte hash of the concatenation of its arguments. */
export type WebHash = (...parts: Uint8Array[]) => Promise<Uint8Array>;

function subtle(): typeof crypto.subtle {
  const s = globalThis.crypto?.subtle;
  // WebCrypto exists only in secure contexts (https:// or localhost).
  if (s === undefined) return fail('UNSUPPORTED_ALGORITHM', { alg: 'WebCrypto (page not served over https)' });
  return s;
}

/** SHA-256 via WebCrypto. */
export async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', plain(concatBytes(...parts))));
}

/** SM3 via sm-crypto-v2. */
export async function sm3(...parts: Uint8Array[]): Promise<Uint8Array> {
  return fromHex(sm3Hex(concatBytes(...parts)), 'sm3');
}

/** The hash function of a ledger's `hashAlg`; UNSUPPORTED_ALGORITHM otherwise. */
export function webHash(alg: unknown): WebHash {
  switch (alg) {
    case 'sha256':
      return sha256;
    case 'sm3':
      return sm3;
    default:
      return fail('UNSUPPORTED_ALGORITHM', { alg: String(alg) });
  }
}

/** SHA-256 and SM3 of a document, as lower-case hex. */
export async function documentHashes(bytes: Uint8Array): Promise<{ sha256: string; sm3: string }> {
  const [a, b] = await Promise.all([sha256(bytes), sm3(bytes)]);
  return { sha256: toHex(a), sm3: toHex(b) };
}
