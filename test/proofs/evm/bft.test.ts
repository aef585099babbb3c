/**
 * QBFT / IBFT 2.0 finality: Besu's published extraData encodings, a simulator with real secp256k1 validator keys
 * and real committed seals, and the adversarial cases (duplicate, non-member, exactly 2/3, wrong round, truncation).
 */
import { describe, expect, it } from 'vitest';
import { decodeBftExtraData, encodeBftExtraData, type BftVariant } from '../../../src/proofs/evm/bft-extra-data.js';
import { bftQuorum, verifyBftFinality } from '../../../src/proofs/evm/bft.js';
import { verifyQbftFinality } from '../../../src/proofs/evm/qbft.js';
import { verifyIbft2Finality } from '../../../src/proofs/evm/ibft2.js';
import { fromHex, toHex, toHex0x } from '../../../src/crypto/bytes.js';
import { addr, makeBftBlock, validatorKeys } from './helpers/bft-chain.js';
import { codeOf } from './helpers/codes.js';

// hyperledger/besu consensus/qbft/src/test/java/org/hyperledger/besu/consensus/qbft/QbftExtraDataCodecTest.java
// (RAW_HEX_ENCODING_STRING): validators 0x…01, 0x…02; add-vote for 0x…01; round 0x00FEDCBA; seals (r=1,s=10,v=0),
// (r=10,s=1,v=0); vanity 0x01..0x20.
const BESU_QBFT =
  'f8f0a00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20ea940000000000000000' +
  '000000000000000000000001940000000000000000000000000000000000000002d7940000000000000000' +
  '00000000000000000000000181ff83fedcbaf886b841000000000000000000000000000000000000000000' +
  '0000000000000000000001000000000000000000000000000000000000000000000000000000000000000a' +
  '00b841000000000000000000000000000000000000000000000000000000000000000a0000000000000000' +
  '00000000000000000000000000000000000000000000000100';
// hyperledger/besu consensus/ibft/src/test/java/org/hyperledger/besu/consensus/ibft/IbftExtraDataRLPEncoderTest.java
// (RAW_HEX_ENCODING_STRING): the same content with IBFT 2.0's 4-byte round.
const BESU_IBFT2 =
  'f8f1a00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20ea9400000000000000000000000000000000000' +
  '00001940000000000000000000000000000000000000002d794000000000000000000000000000000000000000181ff8400fedc' +
  'baf886b841000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000' +
  '0000000000000000000000000000000000a00b84100000000000000000000000000000000000000000000000000000000000000' +
  '0a000000000000000000000000000000000000000000000000000000000000000100';

describe('BFT extraData (Besu published encodings)', () => {
  for (const [variant, hex] of [['qbft', BESU_QBFT], ['ibft2', BESU_IBFT2]] as const) {
    it(`decodes and re-encodes Besu's ${variant} vector byte for byte`, () => {
      const x = decodeBftExtraData(fromHex(hex, 'v'), variant);
      expect(toHex(x.vanity)).toBe('0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20');
      expect(x.validators.map(toHex0x)).toEqual([`0x${'00'.repeat(19)}01`, `0x${'00'.repeat(19)}02`]);
      expect(x.vote).toEqual({ recipient: fromHex(`0x${'00'.repeat(19)}01`, 'r'), add: true });
      expect(x.round).toBe(0xfedcba);
      expect(x.seals.length).toBe(2);
      expect(toHex(encodeBftExtraData(x, variant))).toBe(hex);
    });
  }

  it('QBFT rejects a 4-byte (leading zero) round; IBFT 2.0 rejects a scalar round', () => {
    expect(codeOf(() => decodeBftExtraData(fromHex(BESU_IBFT2, 'v'), 'qbft'))).toBe('BFT_EXTRA_DATA_INVALID');
    expect(codeOf(() => decodeBftExtraData(fromHex(BESU_QBFT, 'v'), 'ibft2'))).toBe('BFT_EXTRA_DATA_INVALID');
  });

  it('rejects truncated and malformed extraData', () => {
    const b = fromHex(BESU_QBFT, 'v');
    for (const cut of [1, 10, 65, b.length - 1]) expect(codeOf(() => decodeBftExtraData(b.subarray(0, cut), 'qbft'))).toBe('RLP_MALFORMED');
    expect(codeOf(() => decodeBftExtraData(new Uint8Array(0), 'qbft'))).toBe('BFT_EXTRA_DATA_INVALID');
    expect(codeOf(() => decodeBftExtraData(fromHex('c0', 'v'), 'qbft'))).toBe('BFT_EXTRA_DATA_INVALID');
  });
});

describe('BFT finality (simulator: real keys, real seals)', () => {
  const keys = validatorKeys(21);
  const four = keys.slice(0, 4);

  for (const variant of ['qbft', 'ibft2'] as const) {
    it(`${variant}: 3 of 4 seals is final and returns the light-client view`, () => {
      const { json, extra } = makeBftBlock({ variant, validators: four, signers: four.slice(0, 3), round: 2 });
      const f = verifyBftFinality(json, four.map(addr), variant);
      expect(f).toMatchObject({ number: 7, hash: json.hash, stateRoot: json.stateRoot, timestamp: 0x6553f100, round: 2, variant });
      expect(f.validators).toEqual(extra.validators.map(toHex0x));
      expect(f.signers).toEqual(four.slice(0, 3).map(addr));
    });

    it(`${variant}: the reported hash excludes seals and round, the full-header hash does not`, () => {
      const a = makeBftBlock({ variant, validators: four, signers: four.slice(0, 3), round: 0 });
      const b = makeBftBlock({ variant, validators: four, signers: four.slice(1, 4), round: 5 });
      expect(a.json.hash).toBe(b.json.hash);
      expect(a.json.extraData).not.toBe(b.json.extraData);
    });

    it(`${variant}: adversarial seals`, () => {
      const vals = four.map(addr);
      const dup = makeBftBlock({ variant, validators: four, signers: [four[0]!, four[1]!, four[0]!] });
      expect(codeOf(() => verifyBftFinality(dup.json, vals, variant))).toBe('DUPLICATE_SIGNER');
      const outsider = makeBftBlock({ variant, validators: four, signers: [four[0]!, four[1]!, keys[10]!] });
      expect(codeOf(() => verifyBftFinality(outsider.json, vals, variant))).toBe('SIGNER_NOT_IN_SET');
      const five = makeBftBlock({ variant, validators: four, signers: [...four, keys[12]!] });
      expect(codeOf(() => verifyBftFinality(five.json, vals, variant))).toBe('TOO_LARGE');
      const two = makeBftBlock({ variant, validators: four, signers: four.slice(0, 2) });
      expect(codeOf(() => verifyBftFinality(two.json, vals, variant))).toBe('QUORUM_NOT_REACHED');
      // Wrong round: seals were made for round 1, the header claims round 3 (hash unchanged, digest changed).
      const r = makeBftBlock({ variant, validators: four, signers: four.slice(0, 3), round: 1 });
      const moved = { ...r.extra, round: 3 };
      const json = { ...r.json, extraData: toHex0x(encodeBftExtraData(moved, variant)) };
      expect(codeOf(() => verifyBftFinality(json, vals, variant))).toBe('SIGNER_NOT_IN_SET');
      // Truncated extraData.
      const cut = { ...r.json, extraData: (r.json.extraData as string).slice(0, -2) };
      expect(codeOf(() => verifyBftFinality(cut, vals, variant))).toBe('RLP_MALFORMED');
      // Changed header field → BFT hash mismatch.
      expect(codeOf(() => verifyBftFinality({ ...r.json, gasUsed: '0x1' }, vals, variant))).toBe('BLOCK_HASH_MISMATCH');
      expect(codeOf(() => verifyBftFinality({ ...r.json, mixHash: `0x${'00'.repeat(32)}` }, vals, variant))).toBe('BFT_EXTRA_DATA_INVALID');
    });
  }

  it('QBFT at round 0: the seal digest equals the on-chain hash (as a Besu QBFT block import test asserts); IBFT 2.0: not', () => {
    const q = makeBftBlock({ variant: 'qbft', validators: four, signers: four.slice(0, 3), round: 0 });
    expect(toHex0x(q.digest)).toBe(q.json.hash);
    const i = makeBftBlock({ variant: 'ibft2', validators: four, signers: four.slice(0, 3), round: 0 });
    expect(toHex0x(i.digest)).not.toBe(i.json.hash);
  });

  it('exactly 2/3 is not final by default; Besu ceil(2n/3) accepts it when asked', () => {
    const three = keys.slice(0, 3);
    const { json } = makeBftBlock({ variant: 'qbft', validators: three, signers: three.slice(0, 2) });
    expect(codeOf(() => verifyQbftFinality(json, three.map(addr)))).toBe('QUORUM_NOT_REACHED');
    expect(verifyQbftFinality(json, three.map(addr), { quorum: 'besu' }).signers.length).toBe(2);
    expect([3, 4, 21, 22].map((n) => bftQuorum(n))).toEqual([3, 3, 15, 15]);
    expect([3, 4, 21, 22].map((n) => bftQuorum(n, 'besu'))).toEqual([2, 3, 14, 15]);
  });

  it('21 validators: 15 seals are final, 14 are not (QBFT and IBFT 2.0)', () => {
    const vals = keys.map(addr);
    const ok = makeBftBlock({ variant: 'qbft', validators: keys, signers: keys.slice(3, 18) });
    expect(verifyQbftFinality(ok.json, vals).signers.length).toBe(15);
    const short = makeBftBlock({ variant: 'ibft2', validators: keys, signers: keys.slice(0, 14) });
    expect(codeOf(() => verifyIbft2Finality(short.json, vals))).toBe('QUORUM_NOT_REACHED');
  });

  it('carries votes through the hash (add and drop)', () => {
    for (const variant of ['qbft', 'ibft2'] as BftVariant[]) {
      for (const add of [true, false]) {
        const vote = { recipient: fromHex(addr(keys[9]!), 'v', 20), add };
        const { json } = makeBftBlock({ variant, validators: four, signers: four.slice(0, 3), vote });
        expect(verifyBftFinality(json, four.map(addr), variant).signers.length).toBe(3);
      }
    }
  });

  it('rejects bad trusted validator lists', () => {
    const { json } = makeBftBlock({ variant: 'qbft', validators: four, signers: four.slice(0, 3) });
    expect(codeOf(() => verifyQbftFinality(json, []))).toBe('INVALID_INPUT');
    expect(codeOf(() => verifyQbftFinality(json, [addr(four[0]!), addr(four[0]!)]))).toBe('INVALID_INPUT');
    expect(codeOf(() => verifyQbftFinality(json, ['0x1234']))).toBe('BAD_LENGTH');
  });

  it('every single-byte change of a committed seal is rejected with a coded error', () => {
    const { json } = makeBftBlock({ variant: 'qbft', validators: four, signers: four.slice(0, 3) });
    const vals = four.map(addr);
    const extra = fromHex(json.extraData as string, 'x');
    // The first seal's 65 bytes sit 2 + 65 + 1 bytes... locate them by search for robustness.
    const sealStart = extra.length - 3 * 67 + 2;
    const codes = new Set<string>();
    for (let i = sealStart; i < sealStart + 65; i++) {
      const m = extra.slice();
      m[i] = m[i]! ^ 0x01;
      const code = codeOf(() => verifyQbftFinality({ ...json, extraData: toHex0x(m) }, vals));
      expect(code).not.toBe('OK');
      codes.add(code);
    }
    expect([...codes].every((c) => ['SIGNER_NOT_IN_SET', 'SEAL_INVALID', 'QUORUM_NOT_REACHED'].includes(c))).toBe(true);
  });

  it('rejects seals with high s or a bad recovery id (SEAL_INVALID)', () => {
    const { json, extra } = makeBftBlock({ variant: 'qbft', validators: four, signers: four.slice(0, 3) });
    const bad = extra.seals.map((s) => s.slice());
    bad[0]![64] = 27;
    const j1 = { ...json, extraData: toHex0x(encodeBftExtraData({ ...extra, seals: bad }, 'qbft')) };
    expect(codeOf(() => verifyQbftFinality(j1, four.map(addr)))).toBe('SEAL_INVALID');
    const hi = extra.seals.map((s) => s.slice());
    hi[0]!.fill(0xff, 32, 64);
    const j2 = { ...json, extraData: toHex0x(encodeBftExtraData({ ...extra, seals: hi }, 'qbft')) };
    expect(codeOf(() => verifyQbftFinality(j2, four.map(addr)))).toBe('SEAL_INVALID');
  });
});
