/**
 * The hub's attestation signer: Ed25519 (RFC 8032 — deterministic, so a retry re-derives the identical signed entry)
 * with the node:crypto KeyObject built ONCE (src/crypto/node-keys.ts), instead of once per signature as the generic
 * `sign()` does — that rebuild was ~1 ms of every attestation.
 */
import { sign as nodeSign } from 'node:crypto';
import { ed25519PrivateKey } from '../src/crypto/node-keys.js';
import { fail } from '../src/errors.js';
import type { KeyPair } from '../src/crypto/signature.js';
import type { JwsSigner } from '../did/jwt.js';

/** A JwsSigner over an Ed25519 key pair with a cached KeyObject. */
export function ed25519HubSigner(kp: KeyPair, kid: string): JwsSigner {
  if (kp.alg !== 'Ed25519') fail('UNSUPPORTED_ALGORITHM', { alg: kp.alg });
  const key = ed25519PrivateKey(kp.privateKey).key;
  return { alg: 'Ed25519', kid, sign: (data) => new Uint8Array(nodeSign(null, data, key)) };
}
