/**
 * Strict parsing of BFT RPC results at the adapter's edge (adapters/bft/parse.ts), in process: unknown fields,
 * non-canonical hex, unsafe integers, a block other than the one asked for, a record above the requested height and
 * oversized lists all fail with coded input errors, which `atEdge` turns into RPC_BAD_RESPONSE naming the method.
 */
import { describe, expect, it } from 'vitest';
import { atEdge, parseBlock, parseBlockRecords, parseHandovers, parseHead, parseRecord, MAX_BLOCK_RECORDS } from '../../../adapters/bft/parse.js';
import { SimChain } from '../../../adapters/bft/simulator/chain.js';
import { DEFAULT_SIM_OPTIONS } from '../../../adapters/bft/simulator/genesis.js';

const chain = new SimChain({ ...DEFAULT_SIM_OPTIONS, hashAlg: 'sha256', validators: 2 });
chain.submit({ recordType: 'copyright-registration', key: 'A-1', data: { registrationNumber: 'A-1' } });
const b1 = chain.produce(1_767_300_000);
const block = { header: b1.header, certificate: b1.certificate };
const H = `0x${'ab'.repeat(32)}`;

const code = (f: () => unknown): string => {
  try {
    f();
    return 'OK';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('bft adapter: strict parsing at the edge', () => {
  it('finalized head: exact fields, canonical hash, safe integers', () => {
    expect(parseHead({ height: 3, hash: H, timestamp: 5 })).toEqual({ height: 3, hash: H, timestamp: 5 });
    expect(code(() => parseHead({ height: 3, hash: H, timestamp: 5, extra: 1 }))).toBe('INVALID_INPUT');
    expect(code(() => parseHead({ height: 3, hash: H.toUpperCase().replace('0X', '0x'), timestamp: 5 }))).toBe('BAD_HEX');
    expect(code(() => parseHead({ height: 3, hash: H.slice(0, 64), timestamp: 5 }))).toBe('BAD_LENGTH');
    expect(code(() => parseHead({ height: 2 ** 53, hash: H, timestamp: 5 }))).toBe('BAD_INTEGER');
    expect(code(() => parseHead({ height: '3', hash: H, timestamp: 5 }))).toBe('BAD_INTEGER');
    expect(code(() => parseHead(null))).toBe('INVALID_INPUT');
  });

  it('block: the one asked for, strict header / certificate / set; null is absent', () => {
    expect(parseBlock(block, 1)?.header).toEqual(b1.header);
    expect(parseBlock(null, 7)).toBeUndefined();
    expect(code(() => parseBlock(block, 2))).toBe('INVALID_INPUT');
    expect(code(() => parseBlock({ ...block, header: { ...block.header, extra: true } }, 1))).toBe('INVALID_INPUT');
    expect(code(() => parseBlock({ ...block, header: { ...block.header, recordsHashAlg: 'md5' } }, 1))).toBe('UNSUPPORTED_ALGORITHM');
    expect(code(() => parseBlock({ ...block, certificate: { ...block.certificate, signatures: new Array(1025).fill(block.certificate.signatures[0]) } }, 1))).toBe('TOO_LARGE');
    expect(code(() => parseBlock({ ...block, nextValidatorSet: { validators: [] } }, 1))).toBe('INVALID_INPUT');
  });

  it('record: at or below the requested height; proof nodes canonical and bounded', () => {
    const r = chain.record('copyright-registration', 'A-1')!;
    expect(parseRecord(r, 1)).toEqual(r);
    expect(parseRecord(null, 1)).toBeUndefined();
    expect(code(() => parseRecord(r, 0))).toBe('INVALID_INPUT');
    expect(code(() => parseRecord({ ...r, record: { ...r.record, proof: new Array(65).fill(H) } }, 1))).toBe('TOO_LARGE');
    expect(code(() => parseRecord({ ...r, record: { ...r.record, proof: ['0x12'] } }, 1))).toBe('BAD_LENGTH');
    expect(code(() => parseRecord({ ...r, record: { ...r.record, index: -1 } }, 1))).toBe('BAD_INTEGER');
  });

  it('block records: bounded list of {recordType, key, index}', () => {
    expect(parseBlockRecords({ height: 1, records: [{ recordType: 't', key: 'k', index: 0 }] }, 1)).toHaveLength(1);
    expect(code(() => parseBlockRecords({ height: 2, records: [] }, 1))).toBe('INVALID_INPUT');
    expect(code(() => parseBlockRecords({ height: 1, records: [{ recordType: 't', key: '', index: 0 }] }, 1))).toBe('INVALID_INPUT');
    expect(code(() => parseBlockRecords({ height: 1, records: new Array(MAX_BLOCK_RECORDS + 1).fill({ recordType: 't', key: 'k', index: 0 }) }, 1))).toBe('TOO_LARGE');
  });

  it('hand-overs: ascending heights above the one asked for, bounded', () => {
    expect(parseHandovers({ heights: [3, 9] }, 1)).toEqual([3, 9]);
    expect(code(() => parseHandovers({ heights: [9, 3] }, 1))).toBe('INVALID_INPUT');
    expect(code(() => parseHandovers({ heights: [1] }, 1))).toBe('INVALID_INPUT');
    expect(code(() => parseHandovers({ heights: Array.from({ length: 65 }, (_, i) => i + 2) }, 1))).toBe('TOO_LARGE');
    expect(code(() => parseHandovers({ heights: [2.5] }, 1))).toBe('BAD_INTEGER');
  });

  it('atEdge: input errors become RPC_BAD_RESPONSE with method, chain and cause; other errors pass through', () => {
    let err: any;
    try {
      atEdge('bft:x', 'bft_finalizedHead', 'http://127.0.0.1:1', () => parseHead({}));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'RPC_BAD_RESPONSE', details: { method: 'bft_finalizedHead', chain: 'bft:x' } });
    expect(err.cause.code).toBe('INVALID_INPUT');
    expect(code(() => atEdge('bft:x', 'm', 'e', () => { throw new TypeError('x'); }))).toBe(undefined);
  });
});
