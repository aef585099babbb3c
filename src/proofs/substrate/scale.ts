/**
 * A strict SCALE codec (parity-scale-codec; spec: https://docs.substrate.io/reference/scale-codec/ and the Polkadot
 * Protocol Specification, Appendix "SCALE Codec").
 *
 * Why our own and not @polkadot/types: the verifier must be strict and dependency-free. @polkadot/types is a large
 * registry-driven decoder built for wallets; it is lenient (it accepts non-canonical compact integers and trailing
 * bytes, silently truncates) and pulls in WASM crypto. The subset Substrate proofs need — compact integers, fixed
 * little-endian integers, fixed byte arrays, vectors, options and enum indices — fits in this file.
 *
 * Every read checks the remaining input BEFORE allocating or looping by an attacker-chosen length, and every failure
 * is SCALE_INVALID naming the field.
 */
import { fail } from '../../errors.js';

const TWO_30 = 1n << 30n;

/** A cursor over SCALE bytes; each read names the field it is reading so errors say where the input went wrong. */
export class ScaleReader {
  private offset = 0;

  constructor(
    private readonly data: Uint8Array,
    /** Name of the whole value, prefixed to every error's field. */
    readonly field: string,
  ) {}

  /** Bytes not yet read. */
  get remaining(): number {
    return this.data.length - this.offset;
  }

  /** Current offset from the start of the input. */
  get position(): number {
    return this.offset;
  }

  /** The bytes read since offset `start` (a view). */
  since(start: number): Uint8Array {
    return this.data.subarray(start, this.offset);
  }

  /** Fail with SCALE_INVALID at `what`. */
  invalid(what: string, reason: string): never {
    return fail('SCALE_INVALID', { field: `${this.field}.${what}`, reason });
  }

  private need(n: number, what: string): void {
    if (n > this.remaining) this.invalid(what, `truncated: needs ${n} bytes, ${this.remaining} left`);
  }

  /** One byte. */
  u8(what: string): number {
    this.need(1, what);
    return this.data[this.offset++]!;
  }

  /** u16 little-endian. */
  u16(what: string): number {
    this.need(2, what);
    const v = this.data[this.offset]! | (this.data[this.offset + 1]! << 8);
    this.offset += 2;
    return v;
  }

  /** u32 little-endian. */
  u32(what: string): number {
    this.need(4, what);
    const d = this.data;
    const o = this.offset;
    this.offset += 4;
    return (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16)) + d[o + 3]! * 0x1000000;
  }

  /** u64 little-endian as a bigint. */
  u64(what: string): bigint {
    const lo = this.u32(what);
    const hi = this.u32(what);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Exactly `n` bytes (a view, not a copy). */
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /**
   * A compact (variable-length) unsigned integer of at most `maxBytes` bytes of magnitude (4 for Compact<u32>, 8 for
   * Compact<u64>). Canonical encodings only: each value has exactly one encoding (parity-scale-codec rejects the
   * others with "out of range").
   */
  compact(what: string, maxBytes: 4 | 8 = 8): bigint {
    const b0 = this.u8(what);
    switch (b0 & 3) {
      case 0:
        return BigInt(b0 >> 2);
      case 1: {
        const v = (b0 | (this.u8(what) << 8)) >> 2;
        if (v < 64) this.invalid(what, 'non-canonical compact integer (two-byte mode below 64)');
        return BigInt(v);
      }
      case 2: {
        this.offset -= 1;
        const v = this.u32(what) >>> 2;
        if (v < 1 << 14) this.invalid(what, 'non-canonical compact integer (four-byte mode below 2^14)');
        return BigInt(v);
      }
      default: {
        const n = (b0 >> 2) + 4;
        if (n > maxBytes) this.invalid(what, `compact integer of ${n} bytes exceeds ${maxBytes}`);
        const raw = this.bytes(n, what);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]!);
        if (v < TWO_30 || (n > 4 && raw[n - 1] === 0)) this.invalid(what, 'non-canonical compact integer (big-integer mode)');
        return v;
      }
    }
  }

  /** Compact<u32> as a number. */
  compactU32(what: string): number {
    return Number(this.compact(what, 4));
  }

  /**
   * The length prefix of a Vec: a Compact<u32> checked against `max` and against the bytes left, assuming each
   * element takes at least `minElementBytes` — so a hostile length cannot make the caller loop or allocate.
   */
  vecLength(what: string, max: number, minElementBytes: number): number {
    const n = this.compactU32(what);
    if (n > max) this.invalid(what, `length ${n} exceeds the limit of ${max}`);
    if (n * minElementBytes > this.remaining) this.invalid(what, `truncated: ${n} elements cannot fit in ${this.remaining} bytes`);
    return n;
  }

  /** A Vec of `read` results. */
  vec<T>(what: string, max: number, minElementBytes: number, read: (r: ScaleReader, index: number) => T): T[] {
    const n = this.vecLength(what, max, minElementBytes);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(this, i));
    return out;
  }

  /** Vec<u8> (a length-prefixed byte string), at most `max` bytes. */
  byteVec(what: string, max: number): Uint8Array {
    return this.bytes(this.vecLength(what, max, 1), what);
  }

  /** Option<T>: 0x00 = None, 0x01 = Some(T); any other tag is invalid. */
  option<T>(what: string, read: (r: ScaleReader) => T): T | null {
    const tag = this.u8(what);
    if (tag === 0) return null;
    if (tag === 1) return read(this);
    return this.invalid(what, `option tag ${tag} is neither 0 nor 1`);
  }

  /** An enum variant index that must be one of `allowed`. */
  enumIndex<const I extends number>(what: string, allowed: readonly I[]): I {
    const i = this.u8(what);
    if (!(allowed as readonly number[]).includes(i)) this.invalid(what, `unknown variant index ${i}`);
    return i as I;
  }

  /** Require that the whole input was consumed (trailing bytes are an error). */
  end(): void {
    if (this.remaining !== 0) this.invalid('end', `${this.remaining} trailing bytes`);
  }
}

/** Decode a whole value with `read`, failing on trailing bytes. */
export function decodeAll<T>(data: Uint8Array, field: string, read: (r: ScaleReader) => T): T {
  const r = new ScaleReader(data, field);
  const v = read(r);
  r.end();
  return v;
}

/** A small SCALE writer (tests, fixtures and header hashing). */
export class ScaleWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  /** Append raw bytes. */
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }

  /** One byte. */
  u8(v: number): this {
    return this.bytes(Uint8Array.of(v & 0xff));
  }

  /** u32 little-endian. */
  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    return this.bytes(b);
  }

  /** u64 little-endian. */
  u64(v: bigint | number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    return this.bytes(b);
  }

  /** Compact integer in its canonical (shortest) mode. */
  compact(value: bigint | number): this {
    return this.bytes(encodeCompact(value));
  }

  /** Vec<u8>: compact length then the bytes. */
  byteVec(b: Uint8Array): this {
    return this.compact(b.length).bytes(b);
  }

  /** The concatenated output. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

/** The canonical compact encoding of a non-negative integer < 2^64. */
export function encodeCompact(value: bigint | number): Uint8Array {
  const v = BigInt(value);
  if (v < 0n || v >= 1n << 64n) return fail('BAD_INTEGER', { field: 'compact' });
  if (v < 64n) return Uint8Array.of(Number(v) << 2);
  if (v < 1n << 14n) {
    const n = (Number(v) << 2) | 1;
    return Uint8Array.of(n & 0xff, n >> 8);
  }
  if (v < TWO_30) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, (Number(v) * 4 + 2) >>> 0, true);
    return b;
  }
  const mag: number[] = [];
  for (let x = v; x > 0n; x >>= 8n) mag.push(Number(x & 0xffn));
  while (mag.length < 4) mag.push(0);
  return Uint8Array.of(((mag.length - 4) << 2) | 3, ...mag);
}
