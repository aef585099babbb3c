/**
 * GRANDPA justifications: a recorded Polkadot justification, and justifications produced by a simulator of GRANDPA
 * voters (real Ed25519 keys signing sp-consensus-grandpa `localized_payload`, encoded in the real wire format).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex0x } from '../../../src/crypto/bytes.js';
import { generateKeyPair } from '../../../src/crypto/signature.js';
import { encodeJustification, decodeJustification, precommitPayload } from '../../../src/proofs/substrate/justification.js';
import { type AuthoritySet, grandpaThreshold, prepareAuthoritySet, verifyGrandpaJustification } from '../../../src/proofs/substrate/grandpa.js';
import { parseAuthoritySetJson } from '../../../src/proofs/substrate/authority-set.js';
import type { SubstrateHeader } from '../../../src/proofs/substrate/header.js';
import { POLKADOT_JUSTIFICATION as REAL } from './fixtures/recorded.js';
import { childHeader, codeOf, makeJustification, makeVoters, precommit } from './helpers.js';

describe('GRANDPA: recorded Polkadot justification', () => {
  const set = parseAuthoritySetJson(REAL.setId, REAL.authorities);
  const bytes = fromHex(REAL.justification, 'j');

  it('verifies block #302592 against the genesis authority set 0 (recorded Polkadot justification)', () => {
    const r = verifyGrandpaJustification(bytes, set);
    expect(r).toEqual({ targetHash: REAL.blockHash, targetNumber: REAL.blockNumber, setId: 0n, round: BigInt(REAL.round), weightSigned: 5n, totalWeight: 6n });
    expect(grandpaThreshold(6n)).toBe(5n);
  });

  it('fails under set id 1, without one of its five signers, and with a re-encoded round (recorded Polkadot justification)', () => {
    expect(codeOf(() => verifyGrandpaJustification(bytes, { ...set, setId: 1n }))).toBe('SIGNATURE_INVALID');
    const j = decodeJustification(bytes);
    expect(codeOf(() => verifyGrandpaJustification(encodeJustification({ ...j, precommits: j.precommits.slice(1) }), set))).toBe('QUORUM_NOT_REACHED');
    expect(codeOf(() => verifyGrandpaJustification(encodeJustification({ ...j, round: j.round + 1n }), set))).toBe('SIGNATURE_INVALID');
    // The set without the non-signing sixth authority: 5 of 5 still verify.
    const five: AuthoritySet = { setId: 0n, authorities: set.authorities.filter((a) => j.precommits.some((p) => toHex0x(p.id) === toHex0x(a.publicKey))) };
    expect(verifyGrandpaJustification(bytes, five).weightSigned).toBe(5n);
    // A set missing one signer: that signer is not a member.
    expect(codeOf(() => verifyGrandpaJustification(bytes, { setId: 0n, authorities: five.authorities.slice(1) }))).toBe('SIGNER_NOT_IN_SET');
  });

  it('rejects every truncation of the recorded justification with SCALE_INVALID', () => {
    for (let cut = 0; cut < bytes.length; cut += 7) expect(codeOf(() => decodeJustification(bytes.subarray(0, cut)))).toBe('SCALE_INVALID');
    expect(codeOf(() => decodeJustification(Uint8Array.from([...bytes, 0])))).toBe('SCALE_INVALID');
  });
});

describe('GRANDPA: simulated voters (real Ed25519 keys, real wire format)', () => {
  let v300: ReturnType<typeof makeVoters>;
  let v4: ReturnType<typeof makeVoters>;
  const b0 = childHeader(null, 1, [], 5000);
  const b1 = childHeader(b0, 2);
  const b2 = childHeader(b1, 3);
  const b1fork = childHeader(b0, 9);
  beforeAll(() => {
    v300 = makeVoters(300);
    v4 = makeVoters(4);
  });
  const votesFor = (keys: { keys: ReturnType<typeof makeVoters>['keys'] }, n: number, h: SubstrateHeader): [ReturnType<typeof generateKeyPair>, SubstrateHeader][] =>
    keys.keys.slice(0, n).map((k) => [k, h]);

  it('300 voters: 201 precommits verify (threshold 201); 200 = exactly 2/3 fails', () => {
    const prepared = prepareAuthoritySet(v300.set);
    expect(prepared.threshold).toBe(201n);
    const ok = makeJustification({ setId: 7n, target: b0, votes: votesFor(v300, 201, b0) });
    expect(verifyGrandpaJustification(ok.bytes, prepared)).toMatchObject({ targetHash: toHex0x(b0.hash), targetNumber: 5000, weightSigned: 201n, totalWeight: 300n });
    const twoThirds = makeJustification({ setId: 7n, target: b0, votes: votesFor(v300, 200, b0) });
    expect(codeOf(() => verifyGrandpaJustification(twoThirds.bytes, prepared))).toBe('QUORUM_NOT_REACHED');
  });

  it('weights count, not heads: a heavy voter carries the threshold', () => {
    const set: AuthoritySet = { setId: 7n, authorities: v4.set.authorities.map((a, i) => ({ ...a, weight: i === 0 ? 10n : 1n })) };
    const { bytes } = makeJustification({ setId: 7n, target: b0, votes: votesFor(v4, 1, b0) }); // 10 of 13 ≥ 13 - 4 = 9
    expect(verifyGrandpaJustification(bytes, set).weightSigned).toBe(10n);
  });

  it('rejects duplicate voters, non-members, wrong set id, wrong round and bad signatures', () => {
    const votes = votesFor(v4, 3, b0);
    const dup = makeJustification({ setId: 7n, target: b0, votes: [...votes, votes[0]!] });
    expect(codeOf(() => verifyGrandpaJustification(dup.bytes, v4.set))).toBe('DUPLICATE_SIGNER');
    const outsider = generateKeyPair('Ed25519');
    const foreign = makeJustification({ setId: 7n, target: b0, votes: [...votes, [outsider, b0]] });
    expect(codeOf(() => verifyGrandpaJustification(foreign.bytes, v4.set))).toBe('SIGNER_NOT_IN_SET');
    const wrongSet = makeJustification({ setId: 8n, target: b0, votes });
    expect(codeOf(() => verifyGrandpaJustification(wrongSet.bytes, v4.set))).toBe('SIGNATURE_INVALID');
    const good = makeJustification({ setId: 7n, target: b0, votes });
    expect(verifyGrandpaJustification(good.bytes, v4.set).weightSigned).toBe(3n);
    expect(codeOf(() => verifyGrandpaJustification(encodeJustification({ ...good.j, round: 43n }), v4.set))).toBe('SIGNATURE_INVALID');
    const badSig = structuredClone(good.j);
    badSig.precommits[1]!.signature[5]! ^= 1;
    expect(codeOf(() => verifyGrandpaJustification(encodeJustification(badSig), v4.set))).toBe('SIGNATURE_INVALID');
    // A signature over the right payload by the wrong member.
    const swapped = structuredClone(good.j);
    swapped.precommits[0]!.id = v4.keys[3]!.publicKey;
    expect(codeOf(() => verifyGrandpaJustification(encodeJustification(swapped), v4.set))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => verifyGrandpaJustification(encodeJustification({ ...good.j, precommits: [] }), v4.set))).toBe('GRANDPA_COMMIT_INVALID');
  });

  it('the signed payload is the 53-byte localized_payload (Precommit index 1, u32 number, u64 round, u64 set id)', () => {
    const p = precommitPayload(new Uint8Array(32).fill(0xab), 0x01020304, 0x1122n, 0x33n);
    expect(toHex0x(p)).toBe(`0x01${'ab'.repeat(32)}04030201${'2211000000000000'}${'3300000000000000'}`);
  });

  it('precommits for descendants need the ancestry; the commit target must be the GHOST', () => {
    // 4 voters, threshold 3: B1 ← 2 votes, B2 ← 1 vote, B0 ← 1 vote ⇒ support B0 4, B1 3, B2 1 ⇒ GHOST = B1.
    const votes: [ReturnType<typeof generateKeyPair>, SubstrateHeader][] = [[v4.keys[0]!, b1], [v4.keys[1]!, b1], [v4.keys[2]!, b2], [v4.keys[3]!, b0]];
    const ok = makeJustification({ setId: 7n, target: b1, votes, ancestry: [b2, b1] });
    expect(verifyGrandpaJustification(ok.bytes, v4.set)).toMatchObject({ targetHash: toHex0x(b1.hash), targetNumber: b1.number, weightSigned: 4n });
    const notGhost = makeJustification({ setId: 7n, target: b0, votes, ancestry: [b2, b1] });
    expect(codeOf(() => verifyGrandpaJustification(notGhost.bytes, v4.set))).toBe('GRANDPA_COMMIT_INVALID');
    const tooHigh = makeJustification({ setId: 7n, target: b2, votes, ancestry: [b2, b1] });
    expect(codeOf(() => verifyGrandpaJustification(tooHigh.bytes, v4.set))).toBe('GRANDPA_COMMIT_INVALID');
    const missing = makeJustification({ setId: 7n, target: b1, votes, ancestry: [b2] });
    expect(codeOf(() => verifyGrandpaJustification(missing.bytes, v4.set))).toBe('GRANDPA_ANCESTRY_INVALID');
    const unused = makeJustification({ setId: 7n, target: b1, votes, ancestry: [b2, b1, b1fork] });
    expect(codeOf(() => verifyGrandpaJustification(unused.bytes, v4.set))).toBe('GRANDPA_ANCESTRY_INVALID');
    const baseIncluded = makeJustification({ setId: 7n, target: b1, votes, ancestry: [b2, b1, b0] });
    expect(codeOf(() => verifyGrandpaJustification(baseIncluded.bytes, v4.set))).toBe('GRANDPA_ANCESTRY_INVALID');
    const repeated = makeJustification({ setId: 7n, target: b1, votes, ancestry: [b2, b1, b1] });
    expect(codeOf(() => verifyGrandpaJustification(repeated.bytes, v4.set))).toBe('GRANDPA_ANCESTRY_INVALID');
  });

  it('rejects a precommit whose number disagrees with its header, and votes on a fork not above the base', () => {
    const good = makeJustification({ setId: 7n, target: b1, votes: [[v4.keys[0]!, b1], [v4.keys[1]!, b1], [v4.keys[2]!, b2]], ancestry: [b2, b1] });
    const lying = structuredClone(good.j);
    const liar = v4.keys[2]!;
    lying.precommits[2] = { ...precommit(liar, b2, 42n, 7n), targetNumber: b2.number + 1 };
    lying.precommits[2].signature = precommit(liar, { ...b2, number: b2.number + 1 }, 42n, 7n).signature;
    expect(codeOf(() => verifyGrandpaJustification(encodeJustification(lying), v4.set))).toBe('GRANDPA_ANCESTRY_INVALID');
    // Votes split between two forks at the same height: the fork vote does not descend from the base.
    const forked = makeJustification({ setId: 7n, target: b1, votes: [[v4.keys[0]!, b1], [v4.keys[1]!, b1], [v4.keys[2]!, b1fork]], ancestry: [] });
    expect(codeOf(() => verifyGrandpaJustification(forked.bytes, v4.set))).toBe('GRANDPA_ANCESTRY_INVALID');
  });

  it('equivocations follow finality-grandpa: one per voter is counted (for every block), a second is rejected', () => {
    // Voter 3 precommits both B1 and B1fork; with ancestry B1, B1fork above base B0.
    const votes: [ReturnType<typeof generateKeyPair>, SubstrateHeader][] = [[v4.keys[0]!, b0], [v4.keys[1]!, b1], [v4.keys[2]!, b1], [v4.keys[3]!, b1], [v4.keys[3]!, b1fork]];
    const ok = makeJustification({ setId: 7n, target: b1, votes, ancestry: [b1, b1fork] });
    expect(verifyGrandpaJustification(ok.bytes, v4.set)).toMatchObject({ targetHash: toHex0x(b1.hash), weightSigned: 4n });
    const b2fork = childHeader(b0, 10);
    const twice = makeJustification({ setId: 7n, target: b1, votes: [...votes, [v4.keys[3]!, b2fork]], ancestry: [b1, b1fork, b2fork] });
    expect(codeOf(() => verifyGrandpaJustification(twice.bytes, v4.set))).toBe('GRANDPA_COMMIT_INVALID');
  });

  it('rejects malformed authority sets', () => {
    expect(codeOf(() => prepareAuthoritySet({ setId: 1n, authorities: [] }))).toBe('AUTHORITY_SET_INVALID');
    const a = v4.set.authorities[0]!;
    expect(codeOf(() => prepareAuthoritySet({ setId: 1n, authorities: [a, a] }))).toBe('AUTHORITY_SET_INVALID');
    expect(codeOf(() => prepareAuthoritySet({ setId: 1n, authorities: [{ ...a, weight: 0n }] }))).toBe('AUTHORITY_SET_INVALID');
    expect(codeOf(() => prepareAuthoritySet({ setId: 1n, authorities: [{ ...a, weight: 1n << 63n }, { ...v4.set.authorities[1]!, weight: 1n << 63n }] }))).toBe('AUTHORITY_SET_INVALID');
    expect(codeOf(() => prepareAuthoritySet({ setId: -1n, authorities: [a] }))).toBe('AUTHORITY_SET_INVALID');
    expect(codeOf(() => parseAuthoritySetJson(0, [['0x00', 1]]))).toBe('BAD_LENGTH');
    expect(codeOf(() => parseAuthoritySetJson(0, [[toHex0x(a.publicKey), -1]]))).toBe('BAD_INTEGER');
    expect(codeOf(() => parseAuthoritySetJson(0, [[toHex0x(a.publicKey), 1.5]]))).toBe('BAD_INTEGER');
    expect(codeOf(() => parseAuthoritySetJson('01', [[toHex0x(a.publicKey), 1]]))).toBe('BAD_INTEGER');
    expect(codeOf(() => parseAuthoritySetJson(0, [toHex0x(a.publicKey)]))).toBe('INVALID_INPUT');
    expect(parseAuthoritySetJson('18446744073709551615', [[toHex0x(a.publicKey), '5']]).setId).toBe(2n ** 64n - 1n);
  });

  it('rejects truncated justifications and hostile lengths without allocating', () => {
    const { bytes } = makeJustification({ setId: 7n, target: b0, votes: votesFor(v4, 3, b0) });
    for (const cut of [0, 7, 8, 40, 44, 45, 100, bytes.length - 1]) expect(codeOf(() => decodeJustification(bytes.subarray(0, cut)))).toBe('SCALE_INVALID');
    // A precommit count of 2^30 - 1 in 4 bytes with nothing behind it.
    const hostile = Uint8Array.from([...bytes.subarray(0, 44), 0xfe, 0xff, 0xff, 0xff]);
    expect(codeOf(() => decodeJustification(hostile))).toBe('SCALE_INVALID');
  });
});
