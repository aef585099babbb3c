/**
 * Proof-file verifiers of the judicial ledger for `courtbridge proof verify` (registered in src/cli/proof-types.ts):
 *  - `rfc9162-inclusion`:   {hashAlg?: "sha256"|"sm3", leafIndex, treeSize, leafHash, proof: [hex], root}
 *  - `rfc9162-consistency`: {hashAlg?, size1, size2, root1, root2, proof: [hex]}
 *  - `checkpoint`:          {note: signed note text, verifierKey: "<name>+<hex key ID>+<base64 key>"}
 * Input is parsed once here (malformed → input codes, the CLI prints `error`), then verified (verify codes →
 * `invalid`). Hex may carry 0x; unused fields are ignored; integers are JSON numbers (non-negative safe integers).
 */
import { fromHex } from '../crypto/bytes.js';
import { hashSuite, type HashSuite } from '../crypto/hash.js';
import { fail } from '../errors.js';
import { parseCheckpoint } from './checkpoint.js';
import { MAX_PROOF_NODES, verifyConsistency, verifyInclusion } from './merkle.js';
import { openNote, parseVerifierKey } from './note.js';

function hashAlgOf(input: Record<string, unknown>): HashSuite {
  const alg = input.hashAlg ?? 'sha256';
  if (alg !== 'sha256' && alg !== 'sm3') fail('UNSUPPORTED_ALGORITHM', { alg: String(alg) });
  return hashSuite(alg);
}

function integer(input: Record<string, unknown>, field: string): number {
  const v = input[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail('BAD_INTEGER', { field });
  return v;
}

function hash32(input: Record<string, unknown>, field: string): Uint8Array {
  return fromHex(input[field], field, 32);
}

function proofNodes(input: Record<string, unknown>): Uint8Array[] {
  const p = input.proof;
  if (!Array.isArray(p)) fail('INVALID_INPUT', { field: 'proof', reason: 'must be an array of hex strings' });
  if (p.length > MAX_PROOF_NODES) fail('TOO_LARGE', { field: 'proof', limit: MAX_PROOF_NODES });
  return p.map((node, i) => fromHex(node, `proof[${i}]`, 32));
}

/** `rfc9162-inclusion`: RFC 9162 §2.1.3.2 inclusion of leafHash at leafIndex in the tree of treeSize with root. */
export function verifyInclusionFile(input: Record<string, unknown>): void {
  const h = hashAlgOf(input);
  const leafIndex = integer(input, 'leafIndex');
  const treeSize = integer(input, 'treeSize');
  const leafHash = hash32(input, 'leafHash');
  const root = hash32(input, 'root');
  const proof = proofNodes(input);
  verifyInclusion(h, leafIndex, treeSize, leafHash, proof, root);
}

/** `rfc9162-consistency`: RFC 9162 §2.1.4.2 consistency of (size1, root1) with (size2, root2). */
export function verifyConsistencyFile(input: Record<string, unknown>): void {
  const h = hashAlgOf(input);
  const size1 = integer(input, 'size1');
  const size2 = integer(input, 'size2');
  const root1 = hash32(input, 'root1');
  const root2 = hash32(input, 'root2');
  const proof = proofNodes(input);
  verifyConsistency(h, size1, size2, root1, root2, proof);
}

/** `checkpoint`: a signature line by verifierKey verifies over the note text, and the text is a checkpoint body. */
export function verifyCheckpointFile(input: Record<string, unknown>): void {
  const verifier = parseVerifierKey(input.verifierKey);
  if (typeof input.note !== 'string') fail('INVALID_INPUT', { field: 'note', reason: 'must be the signed note text' });
  const { text } = openNote(input.note, [verifier]);
  parseCheckpoint(text);
}
