/**
 * Solidity storage layout driven by the registration's mapping (src/proofs/evidence/layout.ts): slots against ethers'
 * abi.encode + keccak256 (Solidity docs "Layout of State Variables in Storage"), packed members, short and long
 * strings, and MAPPING_INVALID for malformed mappings. Also the Substrate storage-key hashers (twox.ts).
 */
import { describe, expect, it } from 'vitest';
import { AbiCoder, encodeBytes32String, keccak256 as ethersKeccak, toBeHex, zeroPadValue } from 'ethers';
import { dataSlots, decodeRecord, headSlots, parseEvmMapping, recordBaseSlot, slotHex } from '../../src/proofs/evidence/layout.js';
import { storageMapKey, twox128, xxhash64 } from '../../src/proofs/evidence/twox.js';
import { toHex, utf8 } from '../../src/crypto/bytes.js';
import { codeOf } from '../proofs/evm/helpers/codes.js';
import type { EvmStorageMapping } from '../../adapters/types.js';

const abi = AbiCoder.defaultAbiCoder();
const CONTRACT = `0x${'ab'.repeat(20)}`;
const m = (fields: EvmStorageMapping['fields'], keyType: EvmStorageMapping['keyType'] = 'bytes32', mappingSlot = 3): EvmStorageMapping =>
  ({ kind: 'evm-storage', contract: CONTRACT, mappingSlot, keyType, fields });

describe('EVM storage layout (data-driven)', () => {
  const key = ethersKeccak(utf8('subject'));

  it('base slot = keccak256(h(key) ‖ p), for bytes32, text, address and uint256 keys (checked with ethers)', () => {
    const f = [{ name: 'v', type: 'bytes32' as const, slot: 0 }];
    expect(slotHex(recordBaseSlot(m(f), key))).toBe(ethersKeccak(abi.encode(['bytes32', 'uint256'], [key, 3])));
    expect(slotHex(recordBaseSlot(m(f, 'bytes32-utf8'), '91110000100000000X'))).toBe(ethersKeccak(abi.encode(['bytes32', 'uint256'], [encodeBytes32String('91110000100000000X'), 3])));
    expect(slotHex(recordBaseSlot(m(f, 'address'), CONTRACT))).toBe(ethersKeccak(abi.encode(['address', 'uint256'], [CONTRACT, 3])));
    expect(slotHex(recordBaseSlot(m(f, 'uint256'), '12345'))).toBe(ethersKeccak(abi.encode(['uint256', 'uint256'], [12345, 3])));
  });

  it('struct members: one slot per member slot, packed members share it and decode by offset', () => {
    const map = m([{ name: 'caseHash', type: 'bytes32', slot: 0 }, { name: 'listedAt', type: 'uint64', slot: 1 }, { name: 'active', type: 'bool', slot: 1, offset: 8 }, { name: 'delta', type: 'int16', slot: 1, offset: 9 }]);
    const slots = headSlots(map, key);
    const base = recordBaseSlot(map, key);
    expect(slots).toEqual([{ slot: slotHex(base), field: 'caseHash' }, { slot: slotHex(base + 1n), field: 'listedAt,active,delta' }]);
    const packed = (0xfffen << 72n) | (1n << 64n) | 1764182400n; // delta = -2, active, listedAt
    const rec = decodeRecord(map, key, new Map([[slots[0]!.slot, 5n], [slots[1]!.slot, packed]]));
    expect(rec).toEqual({ caseHash: zeroPadValue(toBeHex(5), 32), listedAt: '1764182400', active: true, delta: -2 });
  });

  it('strings: short (< 32 bytes) inline, long at keccak256(slot) + i', () => {
    const map = m([{ name: 'name', type: 'string', slot: 0 }, { name: 'blob', type: 'bytes', slot: 1 }]);
    const [s0, s1] = headSlots(map, key).map((s) => s.slot) as [string, string];
    const short = utf8('某某公司');
    const shortWord = BigInt(`0x${toHex(short).padEnd(62, '0')}${(short.length * 2).toString(16).padStart(2, '0')}`);
    const long = utf8('x'.repeat(40));
    const values = new Map<string, bigint>([[s0, shortWord], [s1, BigInt(long.length * 2 + 1)]]);
    const data = dataSlots(map, key, values);
    const start = BigInt(ethersKeccak(s1));
    expect(data).toEqual([{ slot: slotHex(start), field: 'blob#data[0]' }, { slot: slotHex(start + 1n), field: 'blob#data[1]' }]);
    values.set(data[0]!.slot, BigInt(`0x${toHex(long.subarray(0, 32))}`));
    values.set(data[1]!.slot, BigInt(`0x${toHex(long.subarray(32)).padEnd(64, '0')}`));
    expect(decodeRecord(map, key, values)).toEqual({ name: '某某公司', blob: `0x${toHex(long)}` });
  });

  it('hostile values decode fail-closed: bool ≠ 0/1, bad UTF-8, oversized long strings', () => {
    const map = m([{ name: 'ok', type: 'bool', slot: 0 }, { name: 's', type: 'string', slot: 1 }]);
    const [s0, s1] = headSlots(map, key).map((s) => s.slot) as [string, string];
    expect(codeOf(() => decodeRecord(map, key, new Map([[s0, 2n]])))).toBe('EVIDENCE_MISMATCH');
    expect(codeOf(() => decodeRecord(map, key, new Map([[s1, (0xffn << 248n) | 2n]])))).toBe('EVIDENCE_MISMATCH');
    expect(codeOf(() => dataSlots(map, key, new Map([[s1, (1n << 200n) | 1n]])))).toBe('TOO_LARGE');
  });

  it('MAPPING_INVALID for malformed mappings (unknown type, overlap, offset overflow, unknown member, duplicate name)', () => {
    const ok = { kind: 'evm-storage', contract: CONTRACT, mappingSlot: 0, keyType: 'bytes32', fields: [{ name: 'a', type: 'uint64', slot: 0 }] };
    expect(parseEvmMapping(ok).fields.length).toBe(1);
    const bad: unknown[] = [
      { ...ok, fields: [{ name: 'a', type: 'uint7', slot: 0 }] },
      { ...ok, fields: [{ name: 'a', type: 'uint64', slot: 0 }, { name: 'b', type: 'bool', slot: 0, offset: 7 }] },
      { ...ok, fields: [{ name: 'a', type: 'bytes32', slot: 0, offset: 1 }] },
      { ...ok, extra: 1 },
      { ...ok, fields: [{ name: 'a', type: 'bool', slot: 0 }, { name: 'a', type: 'bool', slot: 1 }] },
      { ...ok, keyType: 'string' },
      { ...ok, contract: '0x12' },
      { ...ok, fields: [] },
      { ...ok, fields: [{ name: 'a', type: 'string', slot: 0, offset: 4 }] },
    ];
    for (const b of bad) expect(codeOf(() => parseEvmMapping(b))).toBe('MAPPING_INVALID');
  });

  it('refuses malformed keys', () => {
    const f = [{ name: 'v', type: 'bytes32' as const, slot: 0 }];
    expect(codeOf(() => headSlots(m(f), '0x1234'))).toBe('BAD_LENGTH');
    expect(codeOf(() => headSlots(m(f, 'bytes32-utf8'), 'x'.repeat(33)))).toBe('INVALID_INPUT');
    expect(codeOf(() => headSlots(m(f, 'uint256'), '-1'))).toBe('INVALID_INPUT');
  });
});

describe('Substrate storage-key hashers', () => {
  // Well-known storage prefixes of FRAME pallets (polkadot-sdk; e.g. System::Account = 26aa394e…b99d880e…).
  it('twox128 of pallet and item names (known prefixes)', () => {
    expect(toHex(twox128(utf8('System')))).toBe('26aa394eea5630e07c48ae0c9558cef7');
    expect(toHex(twox128(utf8('Account')))).toBe('b99d880ec681799c0cf30e8886371da9');
    expect(toHex(twox128(utf8('Balances')))).toBe('c2261276cc9d1f8598ea4b6a74b15c2f');
    expect(toHex(twox128(utf8('TotalIssuance')))).toBe('57c875e4cff74148e4628f264b974c80');
  });

  // XXH64 reference values (Cyan4973/xxHash: XXH64("", 0) = EF46DB3751D8E999; 32+ byte inputs use the 4-lane loop).
  it('xxHash64 reference values', () => {
    expect(xxhash64(new Uint8Array(0), 0n).toString(16)).toBe('ef46db3751d8e999');
    expect(xxhash64(utf8('a'), 0n).toString(16)).toBe('d24ec4f1a98c6e5b');
    expect(xxhash64(utf8('abc'), 0n).toString(16)).toBe('44bc2cf5ad770999');
    expect(xxhash64(utf8('Nobody inspects the spammish repetition'), 0n).toString(16)).toBe('fbcea83c8a378bf1');
  });

  it('map keys: prefix ‖ hasher(key)', () => {
    const k = storageMapKey({ kind: 'substrate-storage', pallet: 'System', item: 'Account', hasher: 'identity', keyType: 'bytes32', valueCodec: 'raw' }, new Uint8Array(32).fill(1));
    expect(toHex(k)).toBe(`26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9${'01'.repeat(32)}`);
    const t = storageMapKey({ kind: 'substrate-storage', pallet: 'System', item: 'Account', hasher: 'blake2_128_concat', keyType: 'bytes32', valueCodec: 'raw' }, new Uint8Array(32).fill(1));
    expect(t.length).toBe(32 + 16 + 32);
  });
});
