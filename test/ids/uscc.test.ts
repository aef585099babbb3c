import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseUscc, normalizeUscc, usccCheckChar, orgCodeCheckChar, USCC_CHARSET, USCC_WEIGHTS } from '../../src/ids/uscc.js';
import { codeOf as code } from '../helpers/codes.js';


/**
 * Codes of well-known companies as published on their business licences, annual reports and the National Enterprise
 * Credit Information Publicity System (国家企业信用信息公示系统). CAVEAT: they were transcribed from memory of those
 * public sources in an offline session and have NOT been checked against the registers; treat them as
 * likely-real samples, not as cited known answers. Their test value does not depend on it: each carries two
 * independent check characters (GB 11714 at position 17, GB 32100 at 18), which a wrong transcription passes with
 * probability ≈ 1/341. The cited known answer is EXAMPLE below.
 */
const REAL: Array<[string, string]> = [
  ['9144030071526726XG', '腾讯科技（深圳）有限公司'],
  ['914403001922038216', '华为技术有限公司'],
  ['91110000802100433B', '百度在线网络技术（北京）有限公司'],
  ['91110108551385082Q', '小米科技有限责任公司'],
  ['91100000100003962T', '中国工商银行股份有限公司 (annual report)'],
  ['911000001000013428', '中国银行股份有限公司 (annual report)'],
  ['91440300100012316L', '中国平安保险（集团）股份有限公司 (annual report)'],
  ['91440300192317458F', '比亚迪股份有限公司 (annual report)'],
  ['91330100716105852F', '阿里巴巴（中国）有限公司'],
  ['91110000710926094P', '中国石油化工股份有限公司 (annual report)'],
];

/** The example code reproduced in GB 32100-2015 explanatory material and many validators (e.g. gancao-web/base-tools docs/api/ts/validator/isTaxID.md). */
const EXAMPLE = '91350100M000100Y43';

describe('unified social credit code (GB 32100-2015)', () => {
  it('weights are 3^(i-1) mod 31 (GB 32100-2015 §5.3)', () => {
    expect(USCC_WEIGHTS).toEqual([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]);
    expect(USCC_CHARSET).toHaveLength(31);
    expect(USCC_CHARSET).not.toMatch(/[IOZSV]/);
  });

  it.each(REAL)('accepts the published-form code %s (%s; transcribed, unverified)', (c) => {
    expect(parseUscc(c).value).toBe(c);
  });

  it('parses the parts of the example code', () => {
    const u = parseUscc(EXAMPLE);
    expect(u).toMatchObject({ authority: '9', authorityName: '工商', orgType: '1', orgTypeName: '企业', division: '350100', orgCode: 'M000100Y4' });
  });

  it('normalises case, spaces, hyphens and full-width characters', () => {
    expect(normalizeUscc(' 9144 0300 7152 6726xg ')).toBe('9144030071526726XG');
    expect(normalizeUscc('９１３５０１００Ｍ０００１００Ｙ４３')).toBe(EXAMPLE);
  });

  it('rejects mutated real codes with USCC_INVALID (check char, org-code check, charset, authority, division, length)', () => {
    const bad = [
      '9144030071526726XH', // GB 32100 check char
      '9144030071526727XG', // org-code body digit → GB 11714 check fails first
      '91440300715267260G', // org-code check char
      '9I44030071526726XG', // I not in the set
      'Z144030071526726XG', // unknown authority
      '9444030071526726XG', // type 4 not defined for 工商
      '9199030071526726XG', // division 99…
      '9144030071526726X', // 17 chars
      '',
    ];
    for (const b of bad) expect(code(() => parseUscc(b)), b).toBe('USCC_INVALID');
    expect(code(() => parseUscc(12345))).toBe('USCC_INVALID');
    expect(code(() => parseUscc('9'.repeat(100_000)))).toBe('USCC_INVALID');
  });

  it('errors name the field and never echo the value', () => {
    let err: unknown;
    try {
      parseUscc('9144030071526726XH', 'debtor.uscc');
    } catch (e) {
      err = e;
    }
    expect((err as { details: Record<string, unknown> }).details.field).toBe('debtor.uscc');
    expect(JSON.stringify(err)).not.toContain('9144030071526726X');
    expect((err as Error).message).not.toContain('9144030071526726X');
  });

  // Generator: authority 9 / type 1 (enterprise), a province division, an organisation-code body, both check chars computed.
  const orgChars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const validUscc = fc
    .record({
      prov: fc.constantFrom('11', '31', '44', '35', '65'),
      rest: fc.stringMatching(/^[0-9]{4}$/),
      body: fc.array(fc.constantFrom(...orgChars), { minLength: 8, maxLength: 8 }).map((a) => a.join('')),
    })
    .map(({ prov, rest, body }) => {
      const org = body + orgCodeCheckChar(body);
      const first17 = `91${prov}${rest}${org}`;
      return first17 + usccCheckChar(first17);
    });

  it('property: every generated code with computed check characters validates', () => {
    fc.assert(fc.property(validUscc, (c) => parseUscc(c).value === c), { numRuns: 300 });
  });

  it('property: every single-character substitution is rejected (MOD 31 over a prime detects all of them)', () => {
    fc.assert(
      fc.property(validUscc, fc.nat(17), fc.constantFrom(...USCC_CHARSET), (c, pos, ch) => {
        fc.pre(c[pos] !== ch);
        const mutated = c.slice(0, pos) + ch + c.slice(pos + 1);
        return code(() => parseUscc(mutated)) === 'USCC_INVALID';
      }),
      { numRuns: 500 },
    );
  });

  it('the GB 32100 check alone catches every single substitution of a real code (exhaustive)', () => {
    for (const [c] of REAL) {
      for (let pos = 0; pos < 17; pos++) {
        for (const ch of USCC_CHARSET) {
          if (ch === c[pos]) continue;
          const m = c.slice(0, pos) + ch + c.slice(pos + 1, 17);
          expect(usccCheckChar(m)).not.toBe(c[17]);
        }
      }
    }
  });
});
