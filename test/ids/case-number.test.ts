import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCaseNumber, normalizeCaseNumber, CASE_TYPES } from '../../src/ids/case-number.js';
import { codeOf as code } from '../helpers/codes.js';

const NOW = new Date('2026-06-01T00:00:00Z');

// Forms from 《最高人民法院关于人民法院案件案号的若干规定》(法〔2015〕137号) arts. 3–5 and its annex
// 《人民法院案件类型及其代字标准》; the examples follow the shapes used in published judgments (China Judgments Online).
describe('case numbers (案号)', () => {
  it('parses the brief example with full-width parentheses', () => {
    expect(parseCaseNumber('（2023）京0491民初123号', 'caseNumber', { now: NOW })).toEqual({
      value: '（2023）京0491民初123号', year: 2023, court: '京0491', courtProvince: '京', courtDigits: '0491',
      caseType: '民初', caseTypeName: '民事一审', sequence: 123,
    });
  });

  it('normalises ASCII parentheses, full-width digits and spaces to one form', () => {
    const want = '（2023）京0491民初123号';
    for (const v of ['(2023)京0491民初123号', '（２０２３）京０４９１民初１２３号', ' (2023) 京0491 民初 123 号 ']) {
      expect(normalizeCaseNumber(v, 'c', { now: NOW })).toBe(want);
    }
  });

  it('reads high, intermediate, specialised and Supreme People\'s Court numbers', () => {
    expect(parseCaseNumber('（2020）京民终45号', 'c', { now: NOW })).toMatchObject({ court: '京', courtDigits: '', caseType: '民终' });
    expect(parseCaseNumber('（2021）京73民初1号', 'c', { now: NOW })).toMatchObject({ court: '京73' });
    expect(parseCaseNumber('（2019）最高法知民终1号', 'c', { now: NOW })).toMatchObject({ court: '最高法', caseType: '知民终' });
    expect(parseCaseNumber('（2023）京0105执恢88号', 'c', { now: NOW })).toMatchObject({ caseType: '执恢', caseTypeName: '恢复执行' });
    expect(parseCaseNumber('（2023）闽01破12号', 'c', { now: NOW })).toMatchObject({ caseType: '破' });
    expect(parseCaseNumber('（2022）沪0115行初9号', 'c', { now: NOW })).toMatchObject({ caseType: '行初' });
    expect(Object.keys(CASE_TYPES).length).toBeGreaterThan(40);
  });

  it('rejects malformed numbers with CASE_NUMBER_INVALID', () => {
    const bad = [
      '（2023）京0491民初0123号', // leading zero
      '（2023）京0491民初123', // no 号
      '（2023）京049民初123号', // three court digits
      '（2023）港0491民初123号', // not a court province
      '（2023）京0491民外123号', // unknown type code
      '（2014）民二终字第123号', // pre-2016 form (documented as unsupported)
      '（1900）京0491民初1号', // year before 1949
      '（2027）京0491民初1号', // future year
      '（2019）最高法01民终1号', // SPC takes no digits
      '2023京0491民初123号',
      '',
    ];
    for (const b of bad) expect(code(() => parseCaseNumber(b, 'c', { now: NOW })), b).toBe('CASE_NUMBER_INVALID');
    expect(code(() => parseCaseNumber(2023))).toBe('CASE_NUMBER_INVALID');
    expect(code(() => parseCaseNumber('（'.repeat(1_000_000)))).toBe('CASE_NUMBER_INVALID');
  });
});

describe('case numbers (property)', () => {
  it('format → parse round-trips for every tabled type, court shape and parenthesis style', () => {
    const gen = fc.record({
      year: fc.integer({ min: 1949, max: 2026 }),
      court: fc.oneof(fc.constant('最高法'), fc.tuple(fc.constantFrom('京', '沪', '粤', '闽', '新', '兵'), fc.constantFrom('', '01', '73', '0491')).map(([p, d]) => p + d)),
      type: fc.constantFrom(...Object.keys(CASE_TYPES)),
      seq: fc.integer({ min: 1, max: 9_999_999 }),
      fullWidth: fc.boolean(),
    });
    fc.assert(
      fc.property(gen, ({ year, court, type, seq, fullWidth }) => {
        const [l, r] = fullWidth ? ['（', '）'] : ['(', ')'];
        const parsed = parseCaseNumber(`${l}${year}${r}${court}${type}${seq}号`, 'c', { now: NOW });
        return parsed.value === `（${year}）${court}${type}${seq}号` && parsed.year === year && parsed.court === court && parsed.caseType === type && parsed.sequence === seq;
      }),
      { numRuns: 300 },
    );
  });
});
