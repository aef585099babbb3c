/**
 * Verification methods of a resolved DID document → keys (DID Core §5.2, §5.3). Accepts the key encodings that our
 * three methods produce: publicKeyJwk (JsonWebKey2020), publicKeyMultibase (Multikey, Ed25519VerificationKey2020),
 * publicKeyBase58 / publicKeyHex (the 2018/2019 suites, did:ethr delegates) and blockchainAccountId (did:ethr's
 * controller, EcdsaSecp256k1RecoveryMethod2020, which carries an address instead of a key).
 */
import { fail } from '../src/errors.js';
import { fromHex } from '../src/crypto/bytes.js';
import type { SigAlg } from '../src/crypto/signature.js';
import { base58Decode } from './base58.js';
import { fromMultibase, normalizePublicKey, type PublicKey, type VerificationMethod } from './key.js';
import { jwkToPublicKey } from './jwk.js';

/** A minimal DID document as resolvers return it. */
export interface DidDocument {
  id: string;
  verificationMethod?: VerificationMethod[];
  authentication?: (string | VerificationMethod)[];
  assertionMethod?: (string | VerificationMethod)[];
  [extra: string]: unknown;
}

/** Verification relationships a signature may be checked for. */
export type ProofPurpose = 'assertionMethod' | 'authentication';

/** What a verification method pins: a public key, or (did:ethr) an Ethereum address to recover against. */
export type VmKey = { kind: 'key'; key: PublicKey } | { kind: 'address'; address: string };

/** Verification method types that carry a key of one fixed algorithm in base58/hex form. */
const LEGACY_TYPES: Readonly<Record<string, SigAlg>> = {
  Ed25519VerificationKey2018: 'Ed25519',
  Secp256k1VerificationKey2018: 'ES256K',
  EcdsaSecp256k1VerificationKey2019: 'ES256K',
};

/** Absolute id of a (possibly relative `#frag`) DID URL inside `doc`. */
function absolute(doc: DidDocument, id: string): string {
  return id.startsWith('#') ? `${doc.id}${id}` : id;
}

/**
 * The verification method `kid` of `doc`, provided it is listed under `purpose` (by reference or embedded);
 * JWT_KID_UNKNOWN otherwise. The kid must belong to the document's own DID (no foreign controllers).
 */
export function findVerificationMethod(doc: DidDocument, kid: string, purpose: ProofPurpose): VerificationMethod {
  const want = absolute(doc, kid);
  if (!want.startsWith(`${doc.id}#`)) fail('JWT_KID_UNKNOWN', { kid, did: doc.id, purpose });
  const rel = doc[purpose];
  if (!Array.isArray(rel)) fail('JWT_KID_UNKNOWN', { kid, did: doc.id, purpose });
  for (const entry of rel.slice(0, 256)) {
    if (typeof entry === 'string') {
      if (absolute(doc, entry) !== want) continue;
      const vm = (doc.verificationMethod ?? []).slice(0, 256).find((v) => typeof v === 'object' && v !== null && absolute(doc, String(v.id)) === want);
      if (vm) return vm;
    } else if (typeof entry === 'object' && entry !== null && absolute(doc, String(entry.id)) === want) {
      return entry;
    }
  }
  return fail('JWT_KID_UNKNOWN', { kid, did: doc.id, purpose });
}

/** The key (or address) a verification method pins; DID_DOCUMENT_INVALID / UNSUPPORTED_ALGORITHM otherwise. */
export function verificationMethodKey(vm: VerificationMethod, did: string): VmKey {
  const field = `verificationMethod ${String(vm.id)}`;
  if (vm.publicKeyJwk !== undefined) return { kind: 'key', key: jwkToPublicKey(vm.publicKeyJwk, field) };
  if (typeof vm.publicKeyMultibase === 'string') {
    if (vm.type === 'Ed25519VerificationKey2020' || vm.type === 'Multikey') return { kind: 'key', key: fromMultibase(vm.publicKeyMultibase, field) };
  }
  const legacy = typeof vm.type === 'string' && Object.hasOwn(LEGACY_TYPES, vm.type) ? LEGACY_TYPES[vm.type]! : undefined;
  if (legacy && typeof vm.publicKeyBase58 === 'string') return { kind: 'key', key: normalizePublicKey(legacy, base58Decode(vm.publicKeyBase58, field), field) };
  if (legacy && typeof vm.publicKeyHex === 'string') return { kind: 'key', key: normalizePublicKey(legacy, fromHex(vm.publicKeyHex, field), field) };
  if (vm.type === 'EcdsaSecp256k1RecoveryMethod2020' && typeof vm.blockchainAccountId === 'string') {
    // CAIP-10: eip155:<chainId>:0x<40 hex>
    const m = /^eip155:\d{1,20}:(0x[0-9a-fA-F]{40})$/.exec(vm.blockchainAccountId);
    if (!m) fail('DID_DOCUMENT_INVALID', { did, reason: `${field} blockchainAccountId is not CAIP-10 eip155` });
    return { kind: 'address', address: m[1]!.toLowerCase() };
  }
  return fail('DID_DOCUMENT_INVALID', { did, reason: `${field} has no supported key (type ${String(vm.type)})` });
}
