/**
 * Header parsing and hashing on recorded real headers (sources cited per entry in
 * test/fixtures/evm/recorded-headers.json; Cancun and Prague shapes come from anvil in anvil.test.ts), plus bad input.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { computeBlockHash, parseHeader, verifyHeaderJson } from '../../../src/proofs/evm/header.js';
import { toHex0x } from '../../../src/crypto/bytes.js';
import { codeOf } from './helpers/codes.js';

const recorded = JSON.parse(readFileSync('test/fixtures/evm/recorded-headers.json', 'utf8')) as Array<{ name: string; block: Record<string, unknown> }>;
const london = recorded[2]!.block;

describe('execution-layer header hash (recorded mainnet / Goerli responses)', () => {
  for (const r of recorded) {
    it(`recomputes the hash of ${r.name}`, () => {
      const h = verifyHeaderJson(r.block);
      expect(toHex0x(h.hash)).toBe(r.block.hash);
    });
  }

  it('classifies shapes', () => {
    expect(recorded.map((r) => parseHeader(r.block).shape)).toEqual(['frontier', 'frontier', 'london', 'shanghai']);
  });

  it('detects a changed field as BLOCK_HASH_MISMATCH', () => {
    expect(codeOf(() => verifyHeaderJson({ ...london, gasUsed: '0x4ef91c' }))).toBe('BLOCK_HASH_MISMATCH');
    expect(codeOf(() => verifyHeaderJson({ ...london, hash: `0x${'00'.repeat(32)}` }))).toBe('BLOCK_HASH_MISMATCH');
  });

  it('ignores non-header members but not unknown ones', () => {
    expect(toHex0x(computeBlockHash(parseHeader({ ...london, transactions: ['x'], uncles: [1], size: 'junk' })))).toBe(london.hash);
    expect(codeOf(() => parseHeader({ ...london, sealFields: [] }))).toBe('HEADER_UNKNOWN_FIELD');
    expect(codeOf(() => parseHeader({ ...london, author: london.miner }))).toBe('HEADER_UNKNOWN_FIELD');
  });

  it('rejects non-canonical quantities and wrong types', () => {
    expect(codeOf(() => parseHeader({ ...london, gasUsed: '0x04ef91b' }))).toBe('BAD_INTEGER');
    expect(codeOf(() => parseHeader({ ...london, gasUsed: 5175579 }))).toBe('BAD_INTEGER');
    expect(codeOf(() => parseHeader({ ...london, gasUsed: '0x' }))).toBe('BAD_INTEGER');
    expect(codeOf(() => parseHeader({ ...london, difficulty: '0' }))).toBe('BAD_INTEGER');
    expect(codeOf(() => parseHeader({ ...london, stateRoot: 42 }))).toBe('BAD_HEX');
    expect(codeOf(() => parseHeader({ ...london, extraData: '0x0' }))).toBe('BAD_HEX');
    expect(codeOf(() => parseHeader([london]))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseHeader(null))).toBe('INVALID_INPUT');
  });

  it('rejects wrong byte lengths', () => {
    expect(codeOf(() => parseHeader({ ...london, stateRoot: `0x${'11'.repeat(31)}` }))).toBe('BAD_LENGTH');
    expect(codeOf(() => parseHeader({ ...london, miner: `0x${'11'.repeat(21)}` }))).toBe('BAD_LENGTH');
    expect(codeOf(() => parseHeader({ ...london, logsBloom: `0x${'00'.repeat(255)}` }))).toBe('BAD_LENGTH');
    expect(codeOf(() => parseHeader({ ...london, nonce: '0x00' }))).toBe('BAD_LENGTH');
    expect(codeOf(() => parseHeader({ ...london, extraData: `0x${'00'.repeat(64 * 1024 + 1)}` }))).toBe('TOO_LARGE');
  });

  it('requires every base field and the fork order of optional ones', () => {
    const { mixHash: _m, ...noMix } = london;
    expect(codeOf(() => parseHeader(noMix))).toBe('INVALID_INPUT');
    const { baseFeePerGas: _b, ...noBase } = recorded[3]!.block;
    expect(codeOf(() => parseHeader(noBase))).toBe('HEADER_SHAPE_INVALID');
    const z = `0x${'00'.repeat(32)}`;
    expect(codeOf(() => parseHeader({ ...recorded[3]!.block, blobGasUsed: '0x0' }))).toBe('HEADER_SHAPE_INVALID');
    expect(codeOf(() => parseHeader({ ...recorded[3]!.block, requestsHash: z }))).toBe('HEADER_SHAPE_INVALID');
    expect(parseHeader({ ...recorded[3]!.block, blobGasUsed: '0x0', excessBlobGas: '0x0', parentBeaconBlockRoot: z }).shape).toBe('cancun');
    expect(parseHeader({ ...recorded[3]!.block, blobGasUsed: '0x0', excessBlobGas: '0x0', parentBeaconBlockRoot: z, requestsHash: z }).shape).toBe('prague');
  });

  it('requires the hash member for verifyHeaderJson', () => {
    const { hash: _h, ...noHash } = london;
    expect(codeOf(() => verifyHeaderJson(noHash))).toBe('INVALID_INPUT');
  });
});
