/**
 * secp256k1 seal recovery for consortium headers (QBFT / IBFT 2.0 committed seals, Clique signer seals):
 * seal = r(32) ‖ s(32) ‖ recId(1), recId ∈ {0, 1} (Besu `SECPSignature.encodedBytes`, geth `crypto.Sign`).
 */
import { Signature, SigningKey, computeAddress } from 'ethers';
import { fail } from '../../errors.js';
import { toHex0x } from '../../crypto/bytes.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N >> 1n;

function big(b: Uint8Array): bigint {
  return BigInt(toHex0x(b));
}

/**
 * Recover the lower-case address that produced `seal` over the 32-byte `digest`. Fails with SEAL_INVALID for a
 * wrong length, r or s outside [1, n), a high s (EIP-2; Besu and geth both sign with low s), or recId ∉ {0, 1}.
 */
export function recoverSealer(digest: Uint8Array, seal: Uint8Array, field: string): string {
  if (seal.length !== 65) fail('SEAL_INVALID', { field, reason: `must be 65 bytes, got ${seal.length}` });
  const r = big(seal.subarray(0, 32));
  const s = big(seal.subarray(32, 64));
  const v = seal[64]!;
  if (r === 0n || r >= N || s === 0n || s >= N) fail('SEAL_INVALID', { field, reason: 'r or s out of range' });
  if (s > HALF_N) fail('SEAL_INVALID', { field, reason: 'high s' });
  if (v > 1) fail('SEAL_INVALID', { field, reason: 'recovery id must be 0 or 1' });
  try {
    const sig = Signature.from({ r: toHex0x(seal.subarray(0, 32)), s: toHex0x(seal.subarray(32, 64)), v: 27 + v });
    return computeAddress(SigningKey.recoverPublicKey(digest, sig)).toLowerCase();
  } catch (e) {
    return fail('SEAL_INVALID', { field, reason: 'no public key recovers' }, e);
  }
}
