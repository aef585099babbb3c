import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import f from 'fast-check';
import { residentIdCheckChar } from '../../src/ids/resident-id.js';
import { subjectRef, subjectSaltFromEnv, normalizeSubject } from '../../src/ids/subject.js';
import { codeOf as code } from '../helpers/codes.js';

const SALT = new Uint8Array(32).fill(7);
const SALT2 = new Uint8Array(32).fill(8);

describe('subject refs', () => {
  it('is HMAC-SHA-256 over the tag and the normalised value (independent recomputation)', () => {
    const want = createHmac('sha256', SALT).update('courtbridge/subject/v1/resident-id\u000011010519491231002X').digest('hex');
    expect(subjectRef('resident-id', '11010519491231002X', SALT)).toBe(`hmac-sha256:${want}`);
    const sm3 = createHmac('sm3', SALT).update('courtbridge/subject/v1/uscc\u00009144030071526726XG').digest('hex');
    expect(subjectRef('uscc', '9144030071526726XG', SALT, 'hmac-sm3')).toBe(`hmac-sm3:${sm3}`);
  });

  it('normalisation variants give the same ref', () => {
    const id = subjectRef('resident-id', '11010519491231002X', SALT);
    expect(subjectRef('resident-id', '11010519491231002x', SALT)).toBe(id);
    expect(subjectRef('resident-id', '110105491231002', SALT)).toBe(id); // legacy 15-digit form
    expect(subjectRef('resident-id', '１１０１０５１９４９１２３１００２Ｘ', SALT)).toBe(id);
    expect(subjectRef('uscc', '9144 0300 7152 6726xg', SALT)).toBe(subjectRef('uscc', '9144030071526726XG', SALT));
    expect(subjectRef('case-number', '(2023)京0491民初123号', SALT)).toBe(subjectRef('case-number', '（2023）京0491民初123号', SALT));
    expect(subjectRef('text', ' 张　三 ', SALT)).toBe(subjectRef('text', '张 三', SALT));
  });

  it('different salts, kinds and algorithms give different refs', () => {
    const a = subjectRef('resident-id', '11010519491231002X', SALT);
    expect(subjectRef('resident-id', '11010519491231002X', SALT2)).not.toBe(a);
    expect(subjectRef('text', '11010519491231002X', SALT).slice(12)).not.toBe(a.slice(12));
    expect(subjectRef('resident-id', '11010519491231002X', SALT, 'hmac-sm3')).toMatch(/^hmac-sm3:[0-9a-f]{64}$/);
    expect(a).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  });

  it('invalid identifiers, short salts, unknown kinds and algorithms fail with codes', () => {
    expect(code(() => subjectRef('resident-id', '110105194912310021', SALT))).toBe('RESIDENT_ID_INVALID');
    expect(code(() => subjectRef('uscc', 'nope', SALT))).toBe('USCC_INVALID');
    expect(code(() => subjectRef('case-number', 'nope', SALT))).toBe('CASE_NUMBER_INVALID');
    expect(code(() => subjectRef('resident-id', '11010519491231002X', new Uint8Array(15)))).toBe('CONFIG_INVALID');
    expect(code(() => subjectRef('phone' as 'text', 'x', SALT))).toBe('INVALID_INPUT');
    expect(code(() => subjectRef('text', 'x', SALT, 'md5' as 'hmac-sm3'))).toBe('UNSUPPORTED_ALGORITHM');
    expect(normalizeSubject('text', ' \t ')).toBe('');
    expect(code(() => normalizeSubject('text', 42))).toBe('INVALID_INPUT');
    expect(code(() => normalizeSubject('text', 'x'.repeat(9000)))).toBe('TOO_LARGE');
  });

  it('reads the salt from COURTBRIDGE_SUBJECT_SALT', () => {
    expect(subjectSaltFromEnv({ COURTBRIDGE_SUBJECT_SALT: '07'.repeat(32) })).toEqual(SALT);
    expect(code(() => subjectSaltFromEnv({}))).toBe('CONFIG_INVALID');
    expect(code(() => subjectSaltFromEnv({ COURTBRIDGE_SUBJECT_SALT: 'abcd' }))).toBe('CONFIG_INVALID');
  });
});

describe('subject refs (property)', () => {
  it('spelling variants of any valid resident ID give one ref', () => {
    const gen = f
      .record({ county: f.constantFrom('110105', '320102', '440305'), date: f.date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('1999-12-31T00:00:00Z'), noInvalidDate: true }), seq: f.stringMatching(/^[0-9]{3}$/) })
      .map(({ county, date, seq }) => {
        const ymd = date.toISOString().slice(0, 10).replace(/-/g, '');
        const body = county + ymd + seq;
        return { id: body + residentIdCheckChar(body), legacy: county + ymd.slice(2) + seq };
      });
    f.assert(
      f.property(gen, ({ id, legacy }) => {
        const ref = subjectRef('resident-id', id, SALT);
        const fullWidth = id.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
        return subjectRef('resident-id', legacy, SALT) === ref && subjectRef('resident-id', ` ${id.toLowerCase()} `, SALT) === ref
          && subjectRef('resident-id', fullWidth, SALT) === ref && subjectRef('resident-id', id, SALT2) !== ref;
      }),
      { numRuns: 100 },
    );
  });
});
