/**
 * 公民身份号码 — the citizen identity number, GB 11643-1999.
 *
 * Structure (GB 11643-1999 §4–§5, 18 characters): 6-digit address code (GB/T 2260 county of registration),
 * 8-digit birth date YYYYMMDD (GB/T 7408), 3-digit sequence (odd = male, even = female), and a check character
 * computed with ISO 7064:1983 MOD 11-2: Σ ai·Wi with Wi = 2^(i−1) mod 11 counted from the right (the check
 * character is position 1), check = (12 − Σ mod 11) mod 11, 10 written as 'X' (GB 11643-1999 §7.2).
 * The legacy 15-digit number (before GB 11643-1999: YYMMDD, no check character, century 19) is normalised to the
 * 18-character form by inserting "19" and computing the check character.
 */
import { fail } from '../errors.js';
import { isKnownDivisionPrefix } from './division.js';

/** ISO 7064 MOD 11-2 weights for positions 1–17 read left to right: 2^(17−i) mod 11. */
export const RESIDENT_ID_WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => {
  let w = 1;
  for (let k = 0; k < 17 - i; k++) w = (w * 2) % 11;
  return w;
});

/** A parsed resident identity number. */
export interface ResidentId {
  /** The normalised 18-character number (check character 'X' upper case). */
  readonly value: string;
  /** GB/T 2260 address code of the place of registration. */
  readonly division: string;
  /** Birth date as ISO 8601 `YYYY-MM-DD`. */
  readonly birthDate: string;
  /** Sequence code (3 digits). */
  readonly sequence: string;
  /** Sex from the parity of the sequence code (GB 11643-1999 §5.3). */
  readonly sex: 'male' | 'female';
  /** True when the input was a legacy 15-digit number. */
  readonly fromLegacy: boolean;
}

/** Options for `parseResidentId`. */
export interface ResidentIdOptions {
  /** Accept and normalise the legacy 15-digit form (default true). */
  allowLegacy?: boolean;
  /** "Today" for the not-in-the-future birth-date check (default: the current date). */
  now?: Date;
}

/** The ISO 7064 MOD 11-2 check character of the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const d = first17.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return fail('RESIDENT_ID_INVALID', { field: 'residentId', reason: 'body must be digits' });
    sum += d * (RESIDENT_ID_WEIGHTS[i] as number);
  }
  const c = (12 - (sum % 11)) % 11;
  return c === 10 ? 'X' : String(c);
}

function isValidDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] as number;
  return d <= days;
}

/**
 * Check and parse a resident identity number; normalises full-width digits (NFKC), surrounding spaces, a lower-case
 * 'x', and (unless disabled) the legacy 15-digit form. Errors name `field`, never the value (it is personal data).
 */
export function parseResidentId(input: unknown, field = 'residentId', opts: ResidentIdOptions = {}): ResidentId {
  if (typeof input !== 'string') return fail('RESIDENT_ID_INVALID', { field, reason: 'not a string' });
  if (input.length > 64) return fail('RESIDENT_ID_INVALID', { field, reason: 'too long' });
  let value = input.normalize('NFKC').trim().toUpperCase();
  let fromLegacy = false;
  // Step 1: shape; the legacy form becomes the 18-character form (19YY) with its check character computed.
  if (/^\d{15}$/.test(value)) {
    if (opts.allowLegacy === false) return fail('RESIDENT_ID_INVALID', { field, reason: 'legacy 15-digit form not accepted' });
    // DIFF FROM SPEC: the 15-digit form carries no century; numbers of people born before 1900 cannot be told apart,
    // and every 15-digit number is read as 19YY, as the conversion rules of the public security bureaus do.
    const body = `${value.slice(0, 6)}19${value.slice(6)}`;
    value = body + residentIdCheckChar(body);
    fromLegacy = true;
  }
  if (!/^\d{17}[\dX]$/.test(value)) return fail('RESIDENT_ID_INVALID', { field, reason: 'must be 17 digits and a digit or X' });
  // Step 2: address code (GB/T 2260 province level).
  const division = value.slice(0, 6);
  if (!isKnownDivisionPrefix(division)) return fail('RESIDENT_ID_INVALID', { field, reason: 'address code is not a GB/T 2260 code' });
  // Step 3: birth date is a real calendar date, not before 1800 and not in the future.
  const y = Number(value.slice(6, 10));
  const m = Number(value.slice(10, 12));
  const d = Number(value.slice(12, 14));
  if (y < 1800 || !isValidDate(y, m, d)) return fail('RESIDENT_ID_INVALID', { field, reason: 'birth date is not a valid date' });
  // Date.UTC / Date.now rather than Date objects: this runs for every identifier field of every validated record.
  if (Date.UTC(y, m - 1, d) > (opts.now?.getTime() ?? Date.now())) return fail('RESIDENT_ID_INVALID', { field, reason: 'birth date is in the future' });
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  // Step 4: ISO 7064 MOD 11-2 check character (GB 11643-1999 §7.2).
  if (residentIdCheckChar(value.slice(0, 17)) !== value[17]) return fail('RESIDENT_ID_INVALID', { field, reason: 'check character is wrong' });
  const sequence = value.slice(14, 17);
  return { value, division, birthDate, sequence, sex: Number(sequence) % 2 === 1 ? 'male' : 'female', fromLegacy };
}

/** The normalised 18-character number, or RESIDENT_ID_INVALID naming `field`. */
export function normalizeResidentId(input: unknown, field = 'residentId', opts: ResidentIdOptions = {}): string {
  return parseResidentId(input, field, opts).value;
}
