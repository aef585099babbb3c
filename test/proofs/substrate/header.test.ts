/** Substrate headers, digests and GRANDPA consensus logs. */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex0x } from '../../../src/crypto/bytes.js';
import { blake2b256 } from '../../../src/crypto/hash.js';
import { decodeHeader, grandpaAuthorityChanges, headerToJson, parseHeaderJson, substrateHeaderHash } from '../../../src/proofs/substrate/header.js';
import { decodeGrandpaLog } from '../../../src/proofs/substrate/digest.js';
import { RECORDED_HEADERS, ROCOCO_SCALE_HEADER } from './fixtures/recorded.js';
import { changePayload, codeOf, frnkLog } from './helpers.js';

describe('substrate headers', () => {
  for (const h of RECORDED_HEADERS) {
    it(`hashes ${h.chain} to its known block hash (recorded ${h.chain.startsWith('Polkadot') ? 'Polkadot' : 'Westend'} response)`, () => {
      expect(substrateHeaderHash(h.json)).toBe(h.hash);
      const parsed = parseHeaderJson(h.json);
      // SCALE round trip: decoding the encoding gives the same hash, and JSON round-trips.
      expect(toHex0x(decodeHeader(parsed.encoded).hash)).toBe(h.hash);
      expect(headerToJson(parsed)).toEqual(h.json);
      expect(grandpaAuthorityChanges(h.json)).toEqual([]);
    });
  }

  it('decodes the BABE pre-runtime, BEEFY consensus and BABE seal items of a real Polkadot header (recorded Polkadot response)', () => {
    const items = parseHeaderJson(RECORDED_HEADERS[1]!.json).digest;
    expect(items.map((i) => (i.kind === 'Other' || i.kind === 'RuntimeEnvironmentUpdated' ? i.kind : `${i.kind}:${i.engine}`))).toEqual(['PreRuntime:BABE', 'Consensus:BEEF', 'Seal:BABE']);
  });

  it('decodes a real SCALE-encoded Rococo header and re-encodes it byte for byte (recorded Rococo header, smoldot vector)', () => {
    const bytes = fromHex(ROCOCO_SCALE_HEADER, 'rococo');
    const h = decodeHeader(bytes);
    expect(h.digest.map((i) => (i.kind === 'Other' || i.kind === 'RuntimeEnvironmentUpdated' ? i.kind : `${i.kind}:${i.engine}`))).toEqual(['PreRuntime:BABE', 'Consensus:BEEF', 'Seal:BABE']);
    expect(toHex0x(parseHeaderJson(headerToJson(h)).encoded)).toBe(ROCOCO_SCALE_HEADER);
  });

  it('rejects unknown fields, missing fields, wrong types and non-minimal numbers', () => {
    const base = RECORDED_HEADERS[1]!.json;
    expect(codeOf(() => parseHeaderJson({ ...base, extra: 1 }))).toBe('INVALID_INPUT');
    const { stateRoot: _drop, ...missing } = base;
    expect(codeOf(() => parseHeaderJson(missing))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseHeaderJson({ ...base, number: 29798941 }))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseHeaderJson({ ...base, number: '0x01c6b21d' }))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseHeaderJson({ ...base, number: '0x100000000' }))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseHeaderJson({ ...base, stateRoot: '0x1234' }))).toBe('BAD_LENGTH');
    expect(codeOf(() => parseHeaderJson({ ...base, parentHash: 42 }))).toBe('BAD_HEX');
    expect(codeOf(() => parseHeaderJson({ ...base, digest: { logs: 'x' } }))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseHeaderJson({ ...base, digest: { logs: [], other: [] } }))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseHeaderJson({ ...base, digest: { logs: new Array(65).fill('0x08') } }))).toBe('TOO_LARGE');
    expect(codeOf(() => parseHeaderJson([base]))).toBe('INVALID_INPUT');
  });

  it('rejects digest items with unknown indices, truncation or trailing bytes', () => {
    const base = RECORDED_HEADERS[1]!.json;
    const withLog = (log: string): unknown => ({ ...base, digest: { logs: [log] } });
    expect(codeOf(() => parseHeaderJson(withLog('0x07')))).toBe('SCALE_INVALID'); // unknown DigestItem index
    expect(codeOf(() => parseHeaderJson(withLog('0x0442454546')))).toBe('SCALE_INVALID'); // truncated payload length
    expect(codeOf(() => parseHeaderJson(withLog('0x0800')))).toBe('SCALE_INVALID'); // trailing byte
    expect(codeOf(() => parseHeaderJson(withLog('0x000c0102')))).toBe('SCALE_INVALID'); // Vec<u8> of 3 with 2 bytes
    expect(codeOf(() => parseHeaderJson(withLog('0x')))).toBe('SCALE_INVALID');
  });

  it('rejects truncated and over-long SCALE headers', () => {
    const enc = parseHeaderJson(RECORDED_HEADERS[1]!.json).encoded;
    for (const cut of [0, 1, 32, 33, 36, 100, enc.length - 1]) expect(codeOf(() => decodeHeader(enc.subarray(0, cut)))).toBe('SCALE_INVALID');
    expect(codeOf(() => decodeHeader(Uint8Array.from([...enc, 0])))).toBe('SCALE_INVALID');
  });

  it('finds GRANDPA scheduled, forced, pause, resume and disable logs among other items', () => {
    const k = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    const json = {
      ...RECORDED_HEADERS[1]!.json,
      digest: {
        logs: [
          ...(RECORDED_HEADERS[1]!.json.digest as { logs: string[] }).logs,
          frnkLog(changePayload(k, 10)),
          frnkLog(changePayload(k, 0, 77)),
          frnkLog(Uint8Array.of(3, 5, 0, 0, 0, 0, 0, 0, 0)),
          frnkLog(Uint8Array.of(4, 1, 0, 0, 0)),
          frnkLog(Uint8Array.of(5, 2, 0, 0, 0)),
        ],
      },
    };
    const logs = grandpaAuthorityChanges(json);
    expect(logs.map((l) => l.kind)).toEqual(['ScheduledChange', 'ForcedChange', 'OnDisabled', 'Pause', 'Resume']);
    expect(logs[0]).toMatchObject({ delay: 10 });
    expect(logs[1]).toMatchObject({ medianLastFinalized: 77, delay: 0 });
    expect(toHex0x((logs[0] as { authorities: { publicKey: Uint8Array }[] }).authorities[1]!.publicKey)).toBe(toHex0x(k[1]!));
    // The hash still covers the raw logs.
    expect(substrateHeaderHash(json)).toBe(toHex0x(blake2b256(parseHeaderJson(json).encoded)));
  });

  it('rejects malformed GRANDPA logs', () => {
    expect(codeOf(() => decodeGrandpaLog(Uint8Array.of(0), 'log'))).toBe('SCALE_INVALID');
    expect(codeOf(() => decodeGrandpaLog(Uint8Array.of(6), 'log'))).toBe('SCALE_INVALID');
    expect(codeOf(() => decodeGrandpaLog(Uint8Array.of(1, 4, 1), 'log'))).toBe('SCALE_INVALID');
    expect(codeOf(() => decodeGrandpaLog(Uint8Array.of(4, 1, 0, 0, 0, 9), 'log'))).toBe('SCALE_INVALID');
    expect(codeOf(() => decodeGrandpaLog(fromHex('0x01feffffff', 'x'), 'log'))).toBe('SCALE_INVALID');
  });
});
