/**
 * BFT extraData of Hyperledger Besu's QBFT and IBFT 2.0 (read from hyperledger/besu
 * consensus/qbft/.../QbftExtraDataCodec.java and consensus/ibft/.../IbftExtraDataCodec.java; not copied):
 *
 *   QBFT:     RLP([vanity, [validator…], vote, round, [seal…]])
 *             vote = [] (none) | [recipient, 0xff (add) | "" (drop)]   round = RLP scalar (no leading zeros)
 *   IBFT 2.0: RLP([vanity, [validator…], vote, round, [seal…]])
 *             vote = "" (none) | [recipient, 0xff | 0x00]              round = exactly 4 bytes big-endian
 *
 * Hashing re-encodes the parsed value like Besu does (`BftExtraDataCodec.encode` with an EncodingType):
 *   seal digest   — QBFT: seals replaced by []; IBFT 2.0: the seals item removed.
 *   on-chain hash — QBFT: round 0 and seals []; IBFT 2.0: round and seals items removed.
 */
import { encodeRlp } from 'ethers';
import { fail } from '../../errors.js';
import { asBytes, asList, decodeRlpStrict, type RlpValue } from './rlp.js';

/** The two Besu BFT protocols. */
export type BftVariant = 'qbft' | 'ibft2';

/** Parsed BFT extraData. */
export interface BftExtraData {
  vanity: Uint8Array;
  validators: Uint8Array[];
  vote: { recipient: Uint8Array; add: boolean } | null;
  round: number;
  seals: Uint8Array[];
}

/** What the re-encoding keeps (Besu `EncodingType`). */
export type BftEncoding = 'all' | 'without-seals' | 'without-seals-and-round';

/** Validator lists and seal lists longer than this are refused. */
export const MAX_BFT_VALIDATORS = 1024;

function bad(reason: string): never {
  return fail('BFT_EXTRA_DATA_INVALID', { reason });
}

function decodeVote(v: RlpValue, variant: BftVariant): BftExtraData['vote'] {
  if (variant === 'qbft' && Array.isArray(v) && v.length === 0) return null;
  if (variant === 'ibft2' && !Array.isArray(v) && v.length === 0) return null;
  if (!Array.isArray(v) || v.length !== 2) bad('vote must be empty or [recipient, type]');
  const recipient = asBytes(v[0], 'extraData.vote.recipient');
  if (recipient.length !== 20) bad('vote recipient must be 20 bytes');
  const t = asBytes(v[1], 'extraData.vote.type');
  if (t.length === 1 && t[0] === 0xff) return { recipient, add: true };
  // QBFT writes a drop as RLP null (empty string) and reads 0x00 too; IBFT 2.0 writes and reads 0x00.
  if ((t.length === 1 && t[0] === 0x00) || (variant === 'qbft' && t.length === 0)) return { recipient, add: false };
  return bad('vote type must be 0xff (add) or 0x00 (drop)');
}

function decodeRound(v: RlpValue, variant: BftVariant): number {
  const b = asBytes(v, 'extraData.round');
  if (variant === 'ibft2') {
    if (b.length !== 4) bad('IBFT 2.0 round must be exactly 4 bytes');
  } else if (b.length > 4 || (b.length > 0 && b[0] === 0)) {
    bad('QBFT round must be a scalar of at most 4 bytes');
  }
  let r = 0;
  for (const x of b) r = r * 256 + x;
  if (r > 0x7fffffff) bad('round exceeds a signed 32-bit int');
  return r;
}

/** Decode extraData strictly (exactly 5 items, 32-byte vanity, 20-byte validators, 65-byte seals). */
export function decodeBftExtraData(extraData: Uint8Array, variant: BftVariant): BftExtraData {
  if (extraData.length === 0) bad('empty');
  const top = asList(decodeRlpStrict(extraData, 'extraData'), 'extraData');
  if (top.length !== 5) bad(`expected 5 items, got ${top.length}`);
  const vanity = asBytes(top[0], 'extraData.vanity');
  if (vanity.length !== 32) bad('vanity must be 32 bytes');
  const vals = asList(top[1], 'extraData.validators');
  if (vals.length > MAX_BFT_VALIDATORS) fail('TOO_LARGE', { field: 'extraData.validators', limit: MAX_BFT_VALIDATORS });
  const validators = vals.map((x) => {
    const a = asBytes(x, 'extraData.validators[]');
    if (a.length !== 20) bad('validator addresses must be 20 bytes');
    return a;
  });
  const vote = decodeVote(top[2]!, variant);
  const round = decodeRound(top[3]!, variant);
  const sealList = asList(top[4], 'extraData.seals');
  if (sealList.length > MAX_BFT_VALIDATORS) fail('TOO_LARGE', { field: 'extraData.seals', limit: MAX_BFT_VALIDATORS });
  const seals = sealList.map((x) => {
    const s = asBytes(x, 'extraData.seals[]');
    if (s.length !== 65) bad('committed seals must be 65 bytes');
    return s;
  });
  return { vanity, validators, vote, round, seals };
}

function roundBytes(round: number, variant: BftVariant): Uint8Array {
  if (variant === 'ibft2') return new Uint8Array([round >>> 24, (round >>> 16) & 255, (round >>> 8) & 255, round & 255]);
  const out: number[] = [];
  for (let r = round; r > 0; r = Math.floor(r / 256)) out.unshift(r & 255);
  return new Uint8Array(out);
}

/** Encode extraData as Besu does for `encoding` (see the module comment). */
export function encodeBftExtraData(x: BftExtraData, variant: BftVariant, encoding: BftEncoding = 'all'): Uint8Array {
  const vote = x.vote === null
    ? (variant === 'qbft' ? [] : new Uint8Array(0))
    : [x.vote.recipient, x.vote.add ? new Uint8Array([0xff]) : variant === 'qbft' ? new Uint8Array(0) : new Uint8Array([0])];
  const items: unknown[] = [x.vanity, x.validators, vote];
  if (variant === 'qbft') {
    items.push(roundBytes(encoding === 'without-seals-and-round' ? 0 : x.round, variant), encoding === 'all' ? x.seals : []);
  } else if (encoding !== 'without-seals-and-round') {
    items.push(roundBytes(x.round, variant));
    if (encoding === 'all') items.push(x.seals);
  }
  return new Uint8Array(Buffer.from(encodeRlp(items as Parameters<typeof encodeRlp>[0]).slice(2), 'hex'));
}
