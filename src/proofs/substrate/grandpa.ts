/**
 * GRANDPA justification verification, following sc-consensus-grandpa `GrandpaJustification::verify_with_voter_set`
 * and finality-grandpa `validate_commit` (Polkadot Protocol Specification §6.3 "Finality"):
 *  1. every precommit is by a member of the set and carries a valid Ed25519 signature over `localized_payload`;
 *  2. the base is the lowest-numbered precommit target; every other target must reach the base through the
 *     `votes_ancestries` headers, and every ancestry header must be used on those routes;
 *  3. the commit target must be the precommit GHOST: the highest block whose supporting weight reaches the threshold
 *     total − ⌊(total − 1)/3⌋ (finality-grandpa `VoterSet::threshold`), equivocators counting for every block.
 */
import { fail } from '../../errors.js';
import { bytesEqual, toHex, toHex0x } from '../../crypto/bytes.js';
import { signatureVerifier } from '../../crypto/signature.js';
import { type GrandpaAuthority, checkAuthorities } from './digest.js';
import { type GrandpaJustification, type SignedPrecommit, decodeJustification, precommitPayload } from './justification.js';

/** A GRANDPA authority set: its id (u64) and its Ed25519 authorities with weights. */
export interface AuthoritySet {
  setId: bigint;
  authorities: GrandpaAuthority[];
}

/** An authority set prepared for verification: parsed public keys (node KeyObjects) cached once per set. */
export interface PreparedAuthoritySet {
  readonly setId: bigint;
  readonly totalWeight: bigint;
  readonly threshold: bigint;
  readonly voters: ReadonlyMap<string, { index: number; weight: bigint; verify: (msg: Uint8Array, sig: Uint8Array) => boolean }>;
}

/** What a valid justification proves. */
export interface GrandpaVerified {
  targetHash: string;
  targetNumber: number;
  setId: bigint;
  round: bigint;
  /** Sum of the weights of the distinct voters whose precommits verified. */
  weightSigned: bigint;
  totalWeight: bigint;
}

/** finality-grandpa `VoterSet::threshold`: the smallest weight that is more than 2/3 of `total`. */
export function grandpaThreshold(total: bigint): bigint {
  return total - (total - 1n) / 3n;
}

/** Parse keys once (BAD_PUBLIC_KEY / AUTHORITY_SET_INVALID) so many justifications of one set verify fast. */
export function prepareAuthoritySet(set: AuthoritySet): PreparedAuthoritySet {
  if (set.setId < 0n || set.setId >= 1n << 64n) fail('AUTHORITY_SET_INVALID', { reason: 'setId must be a u64' });
  const totalWeight = checkAuthorities(set.authorities, 'authorities');
  const voters = new Map<string, { index: number; weight: bigint; verify: (msg: Uint8Array, sig: Uint8Array) => boolean }>();
  set.authorities.forEach((a, index) => {
    voters.set(toHex(a.publicKey), { index, weight: a.weight, verify: signatureVerifier('Ed25519', a.publicKey) });
  });
  return { setId: set.setId, totalWeight, threshold: grandpaThreshold(totalWeight), voters };
}

function isPrepared(s: AuthoritySet | PreparedAuthoritySet): s is PreparedAuthoritySet {
  return 'voters' in s;
}

/** Decode and verify a SCALE-encoded justification against an authority set (prepared or not). */
export function verifyGrandpaJustification(bytes: Uint8Array, set: AuthoritySet | PreparedAuthoritySet): GrandpaVerified {
  return verifyDecodedJustification(decodeJustification(bytes), isPrepared(set) ? set : prepareAuthoritySet(set));
}

/** Verify a decoded justification (see the module comment for the steps). */
export function verifyDecodedJustification(j: GrandpaJustification, set: PreparedAuthoritySet): GrandpaVerified {
  if (j.precommits.length === 0) fail('GRANDPA_COMMIT_INVALID', { reason: 'no precommits' });
  // Step 1: voters are members; a voter may equivocate once (two different precommits, finality-grandpa
  // `validate_commit` allows "only one equivocation per voter"); an exact repeat is rejected.
  // DIFF FROM SPEC: finality-grandpa skips non-member precommits and ignores exact duplicates; both are
  // rejected here (no honest node emits them, and a strict bundle must not carry them).
  const byVoter = new Map<string, SignedPrecommit[]>();
  for (const p of j.precommits) {
    const key = toHex(p.id);
    if (!set.voters.has(key)) fail('SIGNER_NOT_IN_SET', { signer: toHex0x(p.id) });
    const prior = byVoter.get(key) ?? [];
    if (prior.some((q) => bytesEqual(q.targetHash, p.targetHash) && q.targetNumber === p.targetNumber)) fail('DUPLICATE_SIGNER', { signer: toHex0x(p.id) });
    if (prior.length >= 2) fail('GRANDPA_COMMIT_INVALID', { reason: `voter ${toHex0x(p.id)} equivocates more than once` });
    prior.push(p);
    byVoter.set(key, prior);
  }
  // Step 2: the ancestry proves every precommit target descends from the base, and every header is used.
  const routes = checkAncestry(j);
  // Step 3: weight. Equivocators count towards every block (finality-grandpa `Round::precommit_ghost`).
  let weightSigned = 0n;
  let equivocatorWeight = 0n;
  for (const [key, votes] of byVoter) {
    const w = set.voters.get(key)!.weight;
    weightSigned += w;
    if (votes.length > 1) equivocatorWeight += w;
  }
  if (weightSigned < set.threshold) fail('QUORUM_NOT_REACHED', { signed: weightSigned.toString(), total: set.totalWeight.toString() });
  // Step 4: the commit target is the precommit GHOST.
  const ghost = precommitGhost(routes, byVoter, set, equivocatorWeight);
  if (ghost.hash !== toHex(j.targetHash) || ghost.number !== j.targetNumber) {
    fail('GRANDPA_COMMIT_INVALID', { reason: `commit target ${toHex0x(j.targetHash)} #${j.targetNumber} is not the precommit GHOST 0x${ghost.hash} #${ghost.number}` });
  }
  // Step 5: signatures (last: the most expensive step). Most precommits share a target: build each payload once.
  const payloads = new Map<string, Uint8Array>();
  for (const p of j.precommits) {
    const voter = set.voters.get(toHex(p.id))!;
    const target = `${toHex(p.targetHash)}#${p.targetNumber}`;
    let payload = payloads.get(target);
    if (payload === undefined) {
      payload = precommitPayload(p.targetHash, p.targetNumber, j.round, set.setId);
      payloads.set(target, payload);
    }
    if (!voter.verify(payload, p.signature)) {
      fail('SIGNATURE_INVALID', { alg: 'Ed25519', signer: toHex0x(p.id) });
    }
  }
  return { targetHash: toHex0x(j.targetHash), targetNumber: j.targetNumber, setId: set.setId, round: j.round, weightSigned, totalWeight: set.totalWeight };
}

interface Routes {
  base: { hash: string; number: number };
  /** block hash → parent hash and number, for the blocks above the base. */
  blocks: Map<string, { parent: string; number: number }>;
}

/** sc-consensus-grandpa `AncestryChain::ancestry` plus the "unused headers" check of `verify_with_voter_set`. */
function checkAncestry(j: GrandpaJustification): Routes {
  const headers = new Map<string, { parent: string; number: number }>();
  for (const [i, h] of j.votesAncestries.entries()) {
    const k = toHex(h.hash);
    if (headers.has(k)) fail('GRANDPA_ANCESTRY_INVALID', { reason: `votes_ancestries[${i}] repeats a header` });
    headers.set(k, { parent: toHex(h.parentHash), number: h.number });
  }
  // Rust's min_by_key keeps the first minimum.
  let baseVote = j.precommits[0]!;
  for (const p of j.precommits) if (p.targetNumber < baseVote.targetNumber) baseVote = p;
  const base = { hash: toHex(baseVote.targetHash), number: baseVote.targetNumber };
  const visited = new Set<string>();
  for (const p of j.precommits) {
    let cur = toHex(p.targetHash);
    // DIFF FROM SPEC (stricter): substrate does not compare block numbers; we require each precommit's number to
    // match its header and every header to be its parent's number + 1.
    let number = p.targetNumber;
    if (cur === base.hash) {
      if (number !== base.number) fail('GRANDPA_ANCESTRY_INVALID', { reason: `precommit for the base block claims number ${number}` });
      continue;
    }
    for (let steps = 0; cur !== base.hash; steps++) {
      const h = headers.get(cur);
      if (h === undefined || steps > headers.size) fail('GRANDPA_ANCESTRY_INVALID', { reason: `precommit target ${toHex0x(p.targetHash)} is not shown to descend from the base 0x${base.hash}` });
      if (h.number !== number) fail('GRANDPA_ANCESTRY_INVALID', { reason: `header 0x${cur} has number ${h.number}, expected ${number}` });
      visited.add(cur);
      cur = h.parent;
      number -= 1;
    }
    if (number !== base.number) fail('GRANDPA_ANCESTRY_INVALID', { reason: `route from ${toHex0x(p.targetHash)} reaches the base at number ${number}, not ${base.number}` });
  }
  if (visited.size !== headers.size) fail('GRANDPA_ANCESTRY_INVALID', { reason: `${headers.size - visited.size} votes_ancestries headers are unused` });
  return { base, blocks: headers };
}

/** The highest block, descending from the base, whose support reaches the threshold (finality-grandpa `find_ghost`). */
function precommitGhost(routes: Routes, byVoter: Map<string, SignedPrecommit[]>, set: PreparedAuthoritySet, equivocatorWeight: bigint): { hash: string; number: number } {
  // Support per block from non-equivocating voters: a vote supports its target and every ancestor down to the base.
  const support = new Map<string, bigint>();
  for (const [key, votes] of byVoter) {
    if (votes.length > 1) continue;
    const w = set.voters.get(key)!.weight;
    for (let cur = toHex(votes[0]!.targetHash); ; ) {
      support.set(cur, (support.get(cur) ?? 0n) + w);
      if (cur === routes.base.hash) break;
      cur = routes.blocks.get(cur)!.parent;
    }
  }
  const children = new Map<string, string[]>();
  for (const [hash, b] of routes.blocks) children.set(b.parent, [...(children.get(b.parent) ?? []), hash]);
  let ghost = routes.base;
  for (;;) {
    const heavy = (children.get(ghost.hash) ?? []).filter((c) => (support.get(c) ?? 0n) + equivocatorWeight >= set.threshold);
    if (heavy.length === 0) return ghost;
    // Only reachable when equivocators hold over 1/3 of the weight: refuse to pick a fork.
    if (heavy.length > 1) fail('GRANDPA_COMMIT_INVALID', { reason: 'two sibling blocks both reach the threshold' });
    ghost = { hash: heavy[0]!, number: routes.blocks.get(heavy[0]!)!.number };
  }
}
