/**
 * Province-level prefixes of GB/T 2260 administrative division codes (the first two digits), shared by the unified
 * social credit code (positions 3–8) and the resident identity number (positions 1–6). Only the province level is
 * checked: county codes change every year (mergers, new districts) and old identifiers keep their old codes, so a
 * full table would reject valid numbers issued under an earlier edition.
 */

/** GB/T 2260 province-level codes, plus 71 台湾, 81 香港, 82 澳门 (used by residence permits, GB 11643 practice). */
export const PROVINCE_PREFIXES: Readonly<Record<string, string>> = {
  '11': '北京', '12': '天津', '13': '河北', '14': '山西', '15': '内蒙古',
  '21': '辽宁', '22': '吉林', '23': '黑龙江',
  '31': '上海', '32': '江苏', '33': '浙江', '34': '安徽', '35': '福建', '36': '江西', '37': '山东',
  '41': '河南', '42': '湖北', '43': '湖南', '44': '广东', '45': '广西', '46': '海南',
  '50': '重庆', '51': '四川', '52': '贵州', '53': '云南', '54': '西藏',
  '61': '陕西', '62': '甘肃', '63': '青海', '64': '宁夏', '65': '新疆',
  '71': '台湾', '81': '香港', '82': '澳门',
};

/** True when the first two digits of `division` are a GB/T 2260 province-level code. */
export function isKnownDivisionPrefix(division: string): boolean {
  return Object.hasOwn(PROVINCE_PREFIXES, division.slice(0, 2));
}
