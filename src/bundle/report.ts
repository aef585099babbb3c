/**
 * The verification report a judge can read: Chinese first, then English; one line per step; the last line is
 * `结论：一致 (consistent)` or `结论：不一致 (inconsistent): <reason>`.
 */
import type { BundleStepName, BundleVerification, StepStatus } from './types.js';

/** Step titles, Chinese / English. */
export const STEP_TITLES: Readonly<Record<BundleStepName, readonly [string, string]>> = {
  schema: ['证据包格式（第1版）', 'bundle format (version 1)'],
  'attestation-signature': ['存证证明的中继节点签名', "attestation signature by the hub's DID"],
  'attestation-binding': ['存证证明与原始数据、源链证据的摘要绑定', 'attestation bound to the raw record and source evidence (digests)'],
  'source-evidence': ['源链证据（轻客户端：登记的信任锚与验证者集合交接）', 'source-chain evidence (light client from the registered trust anchor and validator-set hand-overs)'],
  'record-schema': ['原始数据符合登记的数据格式', 'raw record matches its registered schema'],
  'ledger-inclusion': ['存证证明收录于司法账本（RFC 9162）', 'attestation included in the judicial ledger (RFC 9162)'],
  'checkpoint-signature': ['账本检查点签名', 'ledger checkpoint signature'],
  registration: ['平台登记及其上账证明', "partner's registration and its ledger inclusion"],
  'court-facts': ['法律事实（平台、备案号、运营者、利害关系、时间来源、提取步骤）', 'court facts (platform, filing number, operator, interest, time source, extraction steps)'],
};

const STATUS: Readonly<Record<StepStatus, readonly [string, string]>> = {
  passed: ['通过', 'passed'],
  failed: ['未通过', 'FAILED'],
  skipped: ['未执行', 'skipped'],
};

/** Qualified passes, explained. */
const QUALIFIED: Readonly<Record<string, readonly [string, string]>> = {
  SELF_ASSERTED: ['账本公钥取自证据包本身，未以公布的信任锚核对', 'ledger keys taken from the bundle itself, not checked against published trust anchors'],
  RPC_DEPTH: ['源链仅以区块确认数判定最终性（较弱的信任）', 'source finality by confirmation depth only (weaker trust)'],
  PARTNER_SIGNATURE_BY_HUB: ['合作方签名需解析DID，由登记上账记录证明已核验（该记录以摘要绑定签名原文）', "partner signature needs DID resolution; the activation entry attests the hub's check and binds the signed JWS by digest"],
};

/** Render the report text (lines joined by `\n`, ending with a newline). */
export function renderReport(v: BundleVerification): string {
  const s = v.summary;
  const zh: string[] = ['电子证据包核验报告'];
  const en: string[] = ['Evidence bundle verification report'];
  if (s.attestationId !== undefined) {
    zh.push(`存证编号：${s.attestationId}　来源链：${s.chainId}　数据类型：${s.recordType}　区块高度：${s.blockHeight}　存证时间：${s.issuedAt}`);
    en.push(`attestation ${s.attestationId}, chain ${s.chainId}, record type ${s.recordType}, block ${s.blockHeight}, issued ${s.issuedAt}`);
  }
  v.steps.forEach((step, i) => {
    const [tz, te] = STEP_TITLES[step.name];
    const [sz, se] = STATUS[step.status];
    const q = step.status === 'passed' ? QUALIFIED[step.code] : undefined;
    const detail = step.detail === undefined ? '' : ` — ${step.detail}`;
    zh.push(`${i + 1}. ${tz}：${sz}${step.status === 'passed' && q === undefined ? '' : `（${q?.[0] ?? step.code}）`}`);
    en.push(`${i + 1}. ${te}: ${se} [${step.code}]${q ? ` (${q[1]})` : ''}${detail}`);
  });
  const r = v.reason;
  const conclusion = v.consistent
    ? v.anchored
      ? '结论：一致 (consistent)'
      : '结论：一致，但仅为自证：账本密钥未以公布的信任锚核对，请以 --trust 核验 (consistent with itself only: the ledger keys were not checked against published trust anchors; verify with --trust)'
    : `结论：不一致 (inconsistent): ${r ? `${STEP_TITLES[r.step][0]} / ${STEP_TITLES[r.step][1]} — ${r.code}${r.detail ? `: ${r.detail}` : ''}` : 'not every step passed'}`;
  return [...zh, '', ...en, '', conclusion, ''].join('\n');
}
