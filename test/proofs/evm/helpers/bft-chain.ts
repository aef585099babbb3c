/**
 * Simulator of Besu QBFT / IBFT 2.0 block headers: real secp256k1 validator keys, real RLP extraData and real
 * committed seals over the Besu seal digest. Produces the exact eth_getBlock JSON shape a Besu node returns.
 */
import { SigningKey, Wallet, getBytes } from 'ethers';
import { parseHeader } from '../../../../src/proofs/evm/header.js';
import { BFT_MIX_HASH, bftBlockHash, bftSealDigest } from '../../../../src/proofs/evm/bft.js';
import { encodeBftExtraData, type BftExtraData, type BftVariant } from '../../../../src/proofs/evm/bft-extra-data.js';
import { concatBytes, fromHex, toHex0x } from '../../../../src/crypto/bytes.js';

/** Deterministic validator keys. */
export function validatorKeys(n: number, seed = 1): SigningKey[] {
  return Array.from({ length: n }, (_, i) => new SigningKey(`0x${(BigInt(seed) * 1000n + BigInt(i + 1)).toString(16).padStart(64, '0')}`));
}

/** Lower-case address of a key. */
export const addr = (k: SigningKey): string => new Wallet(k).address.toLowerCase();

/** r ‖ s ‖ recId of a signature over `digest`. */
export function seal(k: SigningKey, digest: Uint8Array): Uint8Array {
  const s = k.sign(digest);
  return concatBytes(getBytes(s.r), getBytes(s.s), new Uint8Array([s.yParity]));
}

/** Base header JSON fields of a BFT block (London shape, like Besu chains with a London fork). */
export function baseHeader(number: number): Record<string, string> {
  const h32 = (b: string) => `0x${b.repeat(32)}`;
  return {
    parentHash: h32('aa'), sha3Uncles: '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347',
    miner: `0x${'12'.repeat(20)}`, stateRoot: h32('bb'), transactionsRoot: h32('cc'), receiptsRoot: h32('dd'),
    logsBloom: `0x${'00'.repeat(256)}`, difficulty: '0x1', number: `0x${number.toString(16)}`, gasLimit: '0x1fffffffffffff',
    gasUsed: '0x0', timestamp: '0x6553f100', extraData: '0x', mixHash: toHex0x(BFT_MIX_HASH), nonce: '0x0000000000000000',
    baseFeePerGas: '0x0',
  };
}

/** Options of `makeBftBlock`. */
export interface BftBlockSpec {
  variant: BftVariant;
  validators: SigningKey[];
  signers: SigningKey[];
  round?: number;
  number?: number;
  vote?: BftExtraData['vote'];
}

/** Build a sealed BFT header JSON (with its BFT `hash`). */
export function makeBftBlock(spec: BftBlockSpec): { json: Record<string, unknown>; extra: BftExtraData; digest: Uint8Array } {
  const json: Record<string, unknown> = baseHeader(spec.number ?? 7);
  const extra: BftExtraData = {
    vanity: new Uint8Array(32).fill(0x11),
    validators: spec.validators.map((k) => fromHex(addr(k), 'a', 20)),
    vote: spec.vote ?? null,
    round: spec.round ?? 0,
    seals: [],
  };
  json.extraData = toHex0x(encodeBftExtraData(extra, spec.variant));
  const h = parseHeader(json);
  const digest = bftSealDigest(h, extra, spec.variant);
  extra.seals = spec.signers.map((k) => seal(k, digest));
  json.extraData = toHex0x(encodeBftExtraData(extra, spec.variant));
  json.hash = toHex0x(bftBlockHash(parseHeader(json), extra, spec.variant));
  json.totalDifficulty = '0x8';
  json.size = '0x300';
  json.transactions = [];
  json.uncles = [];
  return { json, extra, digest };
}
