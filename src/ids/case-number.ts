/**
 * 案号 — court case numbers in the form fixed by 《最高人民法院关于人民法院案件案号的若干规定》(法〔2015〕137号,
 * in force 1 January 2016) and its annex 《人民法院案件类型及其代字标准》:
 *
 *   （收案年度）法院代字 类型代字 案件编号 号        e.g. （2023）京0491民初123号
 *
 * 法院代字 is the province abbreviation (or 最高法 for the Supreme People's Court) followed by the court's digits:
 * none for a high court (京), two for an intermediate or specialised court (京01, 京73), four for a basic court
 * (京0491). 案件编号 is the court's running number for that type and year, starting at 1.
 */
import { fail } from '../errors.js';

/** Province abbreviations used as the first part of 法院代字, plus 兵 (XPCC courts) and 军 (military courts). */
export const COURT_PROVINCES: Readonly<Record<string, string>> = {
  京: '北京', 津: '天津', 冀: '河北', 晋: '山西', 内: '内蒙古', 辽: '辽宁', 吉: '吉林', 黑: '黑龙江', 沪: '上海',
  苏: '江苏', 浙: '浙江', 皖: '安徽', 闽: '福建', 赣: '江西', 鲁: '山东', 豫: '河南', 鄂: '湖北', 湘: '湖南',
  粤: '广东', 桂: '广西', 琼: '海南', 渝: '重庆', 川: '四川', 黔: '贵州', 云: '云南', 藏: '西藏', 陕: '陕西',
  甘: '甘肃', 青: '青海', 宁: '宁夏', 新: '新疆', 兵: '新疆生产建设兵团', 军: '军事法院',
};

/**
 * Case-type codes (类型代字) from 《人民法院案件类型及其代字标准》: the common ones only — this table is NOT exhaustive
 * (the standard lists some two hundred). A case number with a code missing here fails closed with
 * CASE_NUMBER_INVALID; add the code here when a partner chain needs it.
 */
export const CASE_TYPES: Readonly<Record<string, string>> = {
  // 刑事 criminal
  刑初: '刑事一审', 刑终: '刑事二审', 刑监: '刑事审判监督', 刑申: '刑事申诉审查', 刑抗: '刑事抗诉', 刑再: '刑事再审',
  刑核: '刑事复核', 刑更: '减刑假释', 刑医: '强制医疗', 刑辖: '刑事管辖',
  // 民事 civil
  民初: '民事一审', 民终: '民事二审', 民监: '民事审判监督', 民申: '民事申请再审审查', 民抗: '民事抗诉', 民再: '民事再审',
  民辖: '民事管辖', 民辖终: '民事管辖上诉', 民特: '特别程序', 民催: '公示催告', 民督: '督促程序', 民撤: '第三人撤销之诉',
  民他: '其他民事',
  // 知识产权 (最高人民法院知识产权法庭)
  知民初: '知识产权民事一审', 知民终: '知识产权民事二审', 知行初: '知识产权行政一审', 知行终: '知识产权行政二审',
  // 行政 administrative
  行初: '行政一审', 行终: '行政二审', 行监: '行政审判监督', 行申: '行政申请再审审查', 行抗: '行政抗诉', 行再: '行政再审',
  行审: '非诉行政行为申请执行审查', 行审复: '非诉行政行为申请执行审查复议', 行辖: '行政管辖', 行赔初: '行政赔偿一审',
  行赔终: '行政赔偿二审',
  // 国家赔偿与司法救助 state compensation, judicial aid
  法赔: '法院作为赔偿义务机关', 委赔: '赔偿委员会审理', 司救民: '民事司法救助', 司救刑: '刑事司法救助', 司救执: '执行司法救助',
  // 保全 preservation
  财保: '诉前财产保全', 证保: '诉前证据保全', 行保: '行为保全',
  // 执行 enforcement
  执: '首次执行', 执恢: '恢复执行', 执保: '财产保全执行', 执异: '执行异议', 执复: '执行复议', 执监: '执行监督',
  执协: '执行协调', 执他: '其他执行',
  // 强制清算与破产 liquidation and bankruptcy
  破申: '破产申请审查', 破: '破产', 破终: '破产上诉', 破监: '破产监督', 清申: '强制清算申请审查', 清: '强制清算',
  清终: '强制清算上诉',
};

/** A parsed case number. */
export interface CaseNumber {
  /** Normalised form: full-width parentheses, ASCII digits, no spaces — `（2023）京0491民初123号`. */
  readonly value: string;
  readonly year: number;
  /** 法院代字, e.g. `京0491`, `京`, `最高法`. */
  readonly court: string;
  /** Province abbreviation (or `最高法`). */
  readonly courtProvince: string;
  /** Digits of the court code ('' for a high court or the SPC). */
  readonly courtDigits: string;
  /** 类型代字, e.g. `民初`. */
  readonly caseType: string;
  /** What the case-type code means. */
  readonly caseTypeName: string;
  /** 案件编号. */
  readonly sequence: number;
}

/** Options for `parseCaseNumber`. */
export interface CaseNumberOptions {
  /** "Now" for the not-in-the-future year check (default: the current date). */
  now?: Date;
}

// After NFKC, full-width （） and digits are ASCII. Court digits are 0, 2 or 4; the type code is 1–3 Han characters.
const CASE_RE = /^\((\d{4})\)(最高法|\p{Script=Han})(\d{2}|\d{4})?(\p{Script=Han}{1,3})([1-9]\d{0,6})号$/u;

// The current UTC year, recomputed only when the cached year has ended (a Date per call would dominate the parse).
let cachedYear = 0;
let cachedYearEnds = 0;
function currentUtcYear(): number {
  const now = Date.now();
  if (now >= cachedYearEnds) {
    cachedYear = new Date(now).getUTCFullYear();
    cachedYearEnds = Date.UTC(cachedYear + 1, 0, 1);
  }
  return cachedYear;
}

/**
 * Check and parse a case number. Accepts full-width or ASCII parentheses and digits, and spaces (removed).
 * DIFF FROM SPEC: only the post-2016 form is read; older numbers such as （2014）民二终字第123号 are rejected.
 */
export function parseCaseNumber(input: unknown, field = 'caseNumber', opts: CaseNumberOptions = {}): CaseNumber {
  if (typeof input !== 'string') return fail('CASE_NUMBER_INVALID', { field, reason: 'not a string' });
  if (input.length > 64) return fail('CASE_NUMBER_INVALID', { field, reason: 'too long' });
  const s = input.normalize('NFKC').replace(/\s/g, '');
  const m = CASE_RE.exec(s);
  if (m === null) return fail('CASE_NUMBER_INVALID', { field, reason: 'not of the form （年度）法院代字类型代字编号号' });
  const [, yearText, province, digits = '', caseType, seqText] = m as unknown as [string, string, string, string | undefined, string, string];
  // Step 1: year — the people's courts' numbering starts 1949; no year after the current one.
  const year = Number(yearText);
  const thisYear = opts.now === undefined ? currentUtcYear() : opts.now.getUTCFullYear();
  if (year < 1949 || year > thisYear) return fail('CASE_NUMBER_INVALID', { field, reason: 'year out of range' });
  // Step 2: court code — province abbreviation (or 最高法, which takes no digits).
  if (province === '最高法' ? digits !== '' : !Object.hasOwn(COURT_PROVINCES, province)) {
    return fail('CASE_NUMBER_INVALID', { field, reason: 'unknown court code' });
  }
  // Step 3: case-type code from the (non-exhaustive) table.
  const caseTypeName = Object.hasOwn(CASE_TYPES, caseType) ? CASE_TYPES[caseType] : undefined;
  if (caseTypeName === undefined) return fail('CASE_NUMBER_INVALID', { field, reason: 'unknown case-type code' });
  const court = province + digits;
  const sequence = Number(seqText);
  return {
    value: `（${yearText}）${court}${caseType}${sequence}号`,
    year, court, courtProvince: province, courtDigits: digits, caseType, caseTypeName, sequence,
  };
}

/** The normalised case number, or CASE_NUMBER_INVALID naming `field`. */
export function normalizeCaseNumber(input: unknown, field = 'caseNumber', opts: CaseNumberOptions = {}): string {
  return parseCaseNumber(input, field, opts).value;
}
