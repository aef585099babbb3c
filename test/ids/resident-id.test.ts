import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseResidentId, normalizeResidentId, residentIdCheckChar, RESIDENT_ID_WEIGHTS } from '../../src/ids/resident-id.js';
import { codeOf as code } from '../helpers/codes.js';

const NOW = new Date('2026-01-01T00:00:00Z');

describe('resident identity number (GB 11643-1999, ISO 7064 MOD 11-2)', () => {
  it('weights are 2^(i-1) mod 11 from the right (GB 11643-1999 §7.2)', () => {
    expect(RESIDENT_ID_WEIGHTS).toEqual([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]);
  });

  // GB 11643-1999 §7.2 worked examples: 11010519491231002X (Beijing Chaoyang, 1949-12-31, female) and
  // 440524188001010014 (Guangdong Chaoyang county, 1880-01-01, male).
  it('accepts the examples of GB 11643-1999', () => {
    expect(parseResidentId('11010519491231002X', 'id', { now: NOW })).toEqual({
      value: '11010519491231002X', division: '110105', birthDate: '1949-12-31', sequence: '002', sex: 'female', fromLegacy: false,
    });
    expect(parseResidentId('440524188001010014', 'id', { now: NOW })).toMatchObject({ birthDate: '1880-01-01', sex: 'male' });
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
  });

  it('normalises lower-case x, full-width digits, spaces and the legacy 15-digit form', () => {
    expect(normalizeResidentId(' 11010519491231002x ')).toBe('11010519491231002X');
    expect(normalizeResidentId('１１０１０５１９４９１２３１００２Ｘ')).toBe('11010519491231002X');
    const legacy = parseResidentId('110105491231002', 'id', { now: NOW });
    expect(legacy).toMatchObject({ value: '11010519491231002X', fromLegacy: true });
    expect(code(() => parseResidentId('110105491231002', 'id', { allowLegacy: false }))).toBe('RESIDENT_ID_INVALID');
  });

  it('rejects wrong check characters, impossible dates, future dates, unknown provinces, bad shapes', () => {
    const bad = [
      '110105194912310021', // check char
      '11010519491231002Y',
      '110105194902301234'.slice(0, 17) + residentIdCheckChar('11010519490230123'), // 1949-02-30
      '11010519000229' + '123' + residentIdCheckChar('11010519000229123'), // 1900 is not a leap year
      '11010530000101' + '123' + residentIdCheckChar('11010530000101123'), // year 3000
      '99010519491231' + '002' + residentIdCheckChar('99010519491231002'), // no province 99
      '1101051949123100X2',
      '110105491331002', // legacy with month 13
      '',
    ];
    for (const b of bad) expect(code(() => parseResidentId(b, 'id', { now: NOW })), b).toBe('RESIDENT_ID_INVALID');
    expect(code(() => parseResidentId(null))).toBe('RESIDENT_ID_INVALID');
    expect(code(() => parseResidentId('1'.repeat(1_000_000)))).toBe('RESIDENT_ID_INVALID');
    // a leap day that exists
    const leap = '11010520000229123';
    expect(parseResidentId(leap + residentIdCheckChar(leap), 'id', { now: NOW }).birthDate).toBe('2000-02-29');
  });

  const validId = fc
    .record({
      prov: fc.constantFrom('11', '32', '44', '51', '65'),
      county: fc.stringMatching(/^[0-9]{4}$/),
      date: fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true }),
      seq: fc.stringMatching(/^[0-9]{3}$/),
    })
    .map(({ prov, county, date, seq }) => {
      const body = prov + county + date.toISOString().slice(0, 10).replace(/-/g, '') + seq;
      return body + residentIdCheckChar(body);
    });

  it('property: every generated number with a computed check character validates', () => {
    fc.assert(fc.property(validId, (id) => parseResidentId(id, 'id', { now: NOW }).value === id), { numRuns: 300 });
  });

  it('property: every single-character substitution is rejected (MOD 11-2 detects all single errors)', () => {
    fc.assert(
      fc.property(validId, fc.nat(17), fc.constantFrom(...'0123456789X'), (id, pos, ch) => {
        fc.pre(id[pos] !== ch);
        const mutated = id.slice(0, pos) + ch + id.slice(pos + 1);
        return code(() => parseResidentId(mutated, 'id', { now: NOW })) === 'RESIDENT_ID_INVALID';
      }),
      { numRuns: 500 },
    );
  });

  it('the MOD 11-2 check alone catches every single digit substitution of the standard example (exhaustive)', () => {
    const id = '11010519491231002X';
    for (let pos = 0; pos < 17; pos++) {
      for (const ch of '0123456789') {
        if (ch === id[pos]) continue;
        expect(residentIdCheckChar(id.slice(0, pos) + ch + id.slice(pos + 1, 17))).not.toBe('X');
      }
    }
  });
});
