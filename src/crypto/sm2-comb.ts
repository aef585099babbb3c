/**
 * Fast, variable-time [s]G + [t]P for SM2 *verification* (public scalars only; signing uses sm-crypto-v2's
 * constant-time `multiply`).
 *
 * Method: fixed-base comb. For a point Q, a table of the affine points j·256^i·Q (i = 0..32, j = 1..128); a scalar is
 * written in signed base-256 digits, so k·Q is at most 33 mixed additions and no doublings. The accumulator is in
 * Jacobian coordinates (x = X/Z², y = Y/Z³) and tables are affine (Z = 1), so each step is a mixed addition
 * (EFD madd-2007-bl, 7M + 4S) instead of noble 1.x's complete projective addition (~14M) plus the dummy addition its
 * constant-time multiply performs. Both products go into one accumulator, and the final x-coordinate test is done in
 * Jacobian form (no field inversion). See bench `crypto.sm2.verify` for the gain; correctness is pinned by the
 * GM/T 0003.5 Annex A vector, cross-checks with sm-crypto-v2 and property tests.
 *
 * Memory: 33 × 128 affine points (~4,200, ~350 KB) per table; build ≈ 4,200 noble additions + one batched inversion
 * (tens of ms), so tables are built once for G and only for public keys of hot verifiers (`signatureVerifier`).
 */

/** The structural subset of sm-crypto-v2's (noble 1.x) projective point (x = px/pz, y = py/pz) that SM2 code uses. */
export interface SmPoint {
  readonly px: bigint;
  readonly py: bigint;
  readonly pz: bigint;
  multiply(k: bigint): SmPoint;
  multiplyUnsafe(k: bigint): SmPoint;
  add(p: SmPoint): SmPoint;
  double(): SmPoint;
  is0(): boolean;
  toAffine(): { x: bigint; y: bigint };
  toRawBytes(compressed?: boolean): Uint8Array;
}

/** The point class (static members) of sm-crypto-v2's SM2 curve. */
export interface SmPointClass {
  BASE: SmPoint;
  ZERO: SmPoint;
  fromHex(hex: string): SmPoint;
}

/** Field prime of the SM2 recommended curve (GB/T 32918.5-2017); its a = p − 3. */
const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
const WINDOWS = 33; // a signed base-256 expansion of a 256-bit scalar needs one extra digit
const HALF = 128;

const mod = (a: bigint): bigint => {
  const r = a % P;
  return r < 0n ? r + P : r;
};

function powP(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/** Affine comb table: `xs[i][j-1]`, `ys[i][j-1]` are the coordinates of j·256^i·Q. */
export interface CombTable {
  xs: bigint[][];
  ys: bigint[][];
}

/** Build the comb table of `q` (not the identity): noble additions, then one batched inversion to affine. */
export function buildComb(q: SmPoint): CombTable {
  const points: SmPoint[] = [];
  let base = q;
  for (let i = 0; i < WINDOWS; i++) {
    let cur = base;
    points.push(cur);
    for (let j = 1; j < HALF; j++) {
      cur = cur.add(base);
      points.push(cur);
    }
    base = cur.double(); // 256 · 256^i · Q
  }
  // Montgomery's trick: invert every pz with a single field inversion.
  const prefix: bigint[] = new Array<bigint>(points.length);
  let acc = 1n;
  for (let k = 0; k < points.length; k++) {
    prefix[k] = acc;
    acc = (acc * points[k]!.pz) % P;
  }
  let inv = powP(acc, P - 2n);
  const xs: bigint[][] = Array.from({ length: WINDOWS }, () => new Array<bigint>(HALF));
  const ys: bigint[][] = Array.from({ length: WINDOWS }, () => new Array<bigint>(HALF));
  for (let k = points.length - 1; k >= 0; k--) {
    const p = points[k]!;
    const zInv = (inv * prefix[k]!) % P;
    inv = (inv * p.pz) % P;
    xs[Math.floor(k / HALF)]![k % HALF] = (p.px * zInv) % P;
    ys[Math.floor(k / HALF)]![k % HALF] = (p.py * zInv) % P;
  }
  return { xs, ys };
}

/** A Jacobian point (X, Y, Z); Z = 0 is the identity. Mutated in place. */
export interface Jacobian {
  X: bigint;
  Y: bigint;
  Z: bigint;
}

/** The identity, as a fresh accumulator. */
export function jacobianZero(): Jacobian {
  return { X: 1n, Y: 1n, Z: 0n };
}

/** acc ← 2·acc (EFD dbl-2001-b, a = −3). */
function double(acc: Jacobian): void {
  if (acc.Z === 0n || acc.Y === 0n) {
    acc.Z = 0n;
    return;
  }
  const delta = (acc.Z * acc.Z) % P;
  const gamma = (acc.Y * acc.Y) % P;
  const beta = (acc.X * gamma) % P;
  const alpha = mod(3n * (acc.X - delta) * (acc.X + delta));
  const X3 = mod(alpha * alpha - 8n * beta);
  const Z3 = mod((acc.Y + acc.Z) * (acc.Y + acc.Z) - gamma - delta);
  acc.Y = mod(alpha * (4n * beta - X3) - 8n * ((gamma * gamma) % P));
  acc.X = X3;
  acc.Z = Z3;
}

/** acc ← acc + (x2, y2) for an affine point (EFD madd-2007-bl), with the doubling and inverse cases handled. */
export function addAffine(acc: Jacobian, x2: bigint, y2: bigint): void {
  if (acc.Z === 0n) {
    acc.X = x2;
    acc.Y = y2;
    acc.Z = 1n;
    return;
  }
  const z1z1 = (acc.Z * acc.Z) % P;
  const u2 = (x2 * z1z1) % P;
  const s2 = (((y2 * acc.Z) % P) * z1z1) % P;
  const h = mod(u2 - acc.X);
  const r = mod(2n * (s2 - acc.Y));
  if (h === 0n) {
    if (r === 0n) double(acc); // same point
    else acc.Z = 0n; // P + (−P)
    return;
  }
  const hh = (h * h) % P;
  const i = (4n * hh) % P;
  const j = (h * i) % P;
  const v = (acc.X * i) % P;
  const X3 = mod(r * r - j - 2n * v);
  const Y3 = mod(r * (v - X3) - 2n * ((acc.Y * j) % P));
  acc.Z = mod((acc.Z + h) * (acc.Z + h) - z1z1 - hh);
  acc.X = X3;
  acc.Y = Y3;
}

/** acc ← acc + k·Q from Q's comb table, 0 ≤ k < 2^256; variable time (public scalars only). */
export function combAdd(acc: Jacobian, table: CombTable, k: bigint): void {
  let rest = k;
  for (let i = 0; i < WINDOWS && rest > 0n; i++) {
    let digit = Number(rest & 0xffn);
    rest >>= 8n;
    if (digit > HALF) {
      digit -= 256; // signed digit in (−128, 128]; carry into the next window
      rest += 1n;
    }
    if (digit > 0) addAffine(acc, table.xs[i]![digit - 1]!, table.ys[i]![digit - 1]!);
    else if (digit < 0) addAffine(acc, table.xs[i]![-digit - 1]!, P - table.ys[i]![-digit - 1]!);
  }
}

/** True when acc is not the identity and its affine x equals `x` (x < p): X = x·Z² (mod p). */
export function jacobianXEquals(acc: Jacobian, x: bigint): boolean {
  if (acc.Z === 0n) return false;
  return acc.X === (((x * acc.Z) % P) * acc.Z) % P;
}

/** Field prime, exported for the final x-coordinate comparison. */
export const SM2_P = P;
