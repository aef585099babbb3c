/**
 * 统一社会信用代码 — the unified social credit code of legal persons and other organisations, GB 32100-2015
 * 《法人和其他组织统一社会信用代码编码规则》.
 *
 * Structure (GB 32100-2015 §4, 18 characters):
 *   position 1      登记管理部门代码 registration-authority code
 *   position 2      机构类别代码 organisation-type code (meaning depends on position 1)
 *   positions 3–8   登记管理机关行政区划码 administrative division of the registering authority (GB/T 2260)
 *   positions 9–17  主体标识码 = the 9-character organisation code of GB 11714-1997, itself ending in a check character
 *   position 18     校验码 check character
 * Character set (GB 32100-2015 §5.1, Table 1): 0-9 A-H J-N P-R T-U W-Y — 31 characters, no I O Z S V.
 * Check character (GB 32100-2015 §5.3 / Annex B): C18 = 31 − (Σ Ci·Wi mod 31), Wi = 3^(i−1) mod 31; 31 ↦ 0.
 */
import { fail } from '../errors.js';
import { isKnownDivisionPrefix } from './division.js';

/** GB 32100-2015 Table 1: the 31 code characters in value order. */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_VALUE: ReadonlyMap<string, number> = new Map([...USCC_CHARSET].map((c, i) => [c, i]));

/** GB 32100-2015 §5.3: weights 3^(i−1) mod 31 for positions 1–17 (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28). */
export const USCC_WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => {
  let w = 1;
  for (let k = 0; k < i; k++) w = (w * 3) % 31;
  return w;
});

/**
 * Registration-authority codes (position 1) with their organisation-type codes (position 2). GB 32100-2015 Annex A
 * assigns 1 机构编制 / 5 民政 / 9 工商 / Y 其他; the others were allocated later by the national coordinating office
 * (外交 2, 司法行政 3, 文化 4, 旅游 6, 宗教 7, 工会 8, 中央军委改革和编制办公室 A, 农业 N) and appear on issued codes.
 */
export const USCC_AUTHORITIES: Readonly<Record<string, { readonly name: string; readonly types: Readonly<Record<string, string>> }>> = {
  '1': { name: '机构编制', types: { '1': '机关', '2': '事业单位', '3': '中央编办直接管理机构编制的群众团体', '9': '其他' } },
  '2': { name: '外交', types: { '1': '外国常驻新闻机构', '9': '其他' } },
  '3': { name: '司法行政', types: { '1': '律师执业机构', '2': '公证处', '3': '基层法律服务所', '4': '司法鉴定机构', '5': '仲裁委员会', '9': '其他' } },
  '4': { name: '文化', types: { '1': '外国在华文化中心', '9': '其他' } },
  '5': { name: '民政', types: { '1': '社会团体', '2': '民办非企业单位', '3': '基金会', '9': '其他' } },
  '6': { name: '旅游', types: { '1': '外国旅游部门常驻代表机构', '2': '港澳台地区旅游部门常驻内地（大陆）代表机构', '9': '其他' } },
  '7': { name: '宗教', types: { '1': '宗教活动场所', '2': '宗教院校', '9': '其他' } },
  '8': { name: '工会', types: { '1': '基层工会', '9': '其他' } },
  '9': { name: '工商', types: { '1': '企业', '2': '个体工商户', '3': '农民专业合作社' } },
  A: { name: '中央军委改革和编制办公室', types: { '1': '军队事业单位', '9': '其他' } },
  N: { name: '农业', types: { '1': '组级集体经济组织', '2': '村级集体经济组织', '3': '乡镇级集体经济组织', '9': '其他' } },
  Y: { name: '其他', types: { '1': '其他' } },
};

/** A parsed unified social credit code. */
export interface Uscc {
  /** The normalised 18-character code (upper case, no spaces). */
  readonly value: string;
  readonly authority: string;
  readonly authorityName: string;
  readonly orgType: string;
  readonly orgTypeName: string;
  /** 6-digit administrative division of the registering authority (GB/T 2260; `100000` = national level). */
  readonly division: string;
  /** The embedded GB 11714-1997 organisation code (9 characters). */
  readonly orgCode: string;
}

/** The GB 32100-2015 check character for the first 17 characters (which must be in the 31-character set). */
export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_VALUE.get(first17[i] ?? '');
    if (v === undefined) return fail('USCC_INVALID', { field: 'uscc', reason: `character ${i + 1} is outside the code set` });
    sum += v * (USCC_WEIGHTS[i] as number);
  }
  const c = 31 - (sum % 31);
  return USCC_CHARSET[c === 31 ? 0 : c] as string;
}

/** GB 11714-1997 §5 weights for the 8-character body of an organisation code. */
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/**
 * The GB 11714-1997 check character of an organisation-code body (8 characters 0-9 A-Z, A = 10 … Z = 35):
 * C9 = 11 − (Σ Ci·Wi mod 11); 10 ↦ 'X', 11 ↦ '0'.
 */
export function orgCodeCheckChar(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = body8.charCodeAt(i);
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 90 ? c - 55 : -1;
    if (v < 0) return fail('USCC_INVALID', { field: 'uscc', reason: 'organisation code has a character outside 0-9 A-Z' });
    sum += v * (ORG_WEIGHTS[i] as number);
  }
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

const SHAPE_RE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/**
 * Check and parse a unified social credit code. Normalisation: trims, removes inner spaces and hyphens that people
 * type for readability, folds full-width characters (NFKC) and upper-cases. Errors name `field`, never the value.
 */
export function parseUscc(input: unknown, field = 'uscc'): Uscc {
  if (typeof input !== 'string') return fail('USCC_INVALID', { field, reason: 'not a string' });
  if (input.length > 64) return fail('USCC_INVALID', { field, reason: 'too long' });
  const value = input.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase();
  if (value.length !== 18) return fail('USCC_INVALID', { field, reason: 'must be 18 characters' });
  if (!SHAPE_RE.test(value)) return fail('USCC_INVALID', { field, reason: 'character outside the GB 32100 set (no I, O, Z, S, V)' });
  // Step 1: registration authority and organisation type (GB 32100-2015 §4.2, Annex A).
  const authority = value[0] as string;
  const auth = USCC_AUTHORITIES[authority];
  if (auth === undefined) return fail('USCC_INVALID', { field, reason: 'unknown registration-authority code' });
  const orgType = value[1] as string;
  const orgTypeName = auth.types[orgType];
  if (orgTypeName === undefined) return fail('USCC_INVALID', { field, reason: 'unknown organisation-type code for this authority' });
  // Step 2: administrative division (GB/T 2260), digits only; `10` = national-level registration.
  const division = value.slice(2, 8);
  if (!/^\d{6}$/.test(division) || !(division.startsWith('10') || isKnownDivisionPrefix(division))) {
    return fail('USCC_INVALID', { field, reason: 'administrative division is not a GB/T 2260 code' });
  }
  // Step 3: the embedded organisation code and its own GB 11714-1997 check character (position 17).
  const orgCode = value.slice(8, 17);
  if (orgCodeCheckChar(orgCode.slice(0, 8)) !== orgCode[8]) return fail('USCC_INVALID', { field, reason: 'organisation-code check character (GB 11714) is wrong' });
  // Step 4: the GB 32100-2015 check character (position 18).
  if (usccCheckChar(value.slice(0, 17)) !== value[17]) return fail('USCC_INVALID', { field, reason: 'check character is wrong' });
  return { value, authority, authorityName: auth.name, orgType, orgTypeName, division, orgCode };
}

/** The normalised code, or USCC_INVALID naming `field`. */
export function normalizeUscc(input: unknown, field = 'uscc'): string {
  return parseUscc(input, field).value;
}
