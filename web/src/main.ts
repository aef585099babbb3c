/**
 * The public verification page: wires the form (file drop / file picker, pasted hash, 存证编号) to verifyPublic and
 * renders the verdict, the record and each verification step, Chinese first with English beneath.
 * No framework; files are hashed in the browser and never uploaded.
 */
import { documentHashes } from './hashes.js';
import { EVIDENCE_ID, verifyPublic, type StepId, type StepResult, type VerifyInput, type VerifyOutcome } from './verify.js';

const STEP_LABELS: Readonly<Record<StepId, [string, string]>> = {
  lookup: ['查询存证记录', 'Look up the record'],
  compare: ['比对文件哈希', 'Compare the document hashes'],
  checkpoint: ['核验签名检查点（Ed25519 / SM2）', 'Check the signed checkpoint (Ed25519 / SM2)'],
  entry: ['核验账本条目（RFC 8785 / RFC 9162 叶子哈希）', 'Check the ledger entry (RFC 8785 / RFC 9162 leaf hash)'],
  inclusion: ['核验默克尔包含证明（RFC 9162 §2.1.3.2）', 'Check the Merkle inclusion proof (RFC 9162 §2.1.3.2)'],
};
const STATUS_LABELS: Readonly<Record<StepResult['status'], [string, string, string]>> = {
  ok: ['✓', '通过', 'passed'],
  failed: ['✗', '未通过', 'failed'],
  skipped: ['–', '未执行', 'not run'],
};

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

let fileHashes: { sha256: string; sm3: string } | undefined;

function el(tag: string, text: string, cls?: string): HTMLElement {
  const e = document.createElement(tag);
  e.textContent = text;
  if (cls !== undefined) e.className = cls;
  return e;
}

function bilingual(tag: string, zh: string, en: string): HTMLElement {
  const e = el(tag, zh);
  const s = el('span', en, 'en');
  s.lang = 'en';
  e.append(s);
  return e;
}

async function takeFile(file: File): Promise<void> {
  const info = $('file-info');
  info.textContent = `正在计算哈希… Hashing ${file.name}…`;
  fileHashes = undefined;
  const h = await documentHashes(new Uint8Array(await file.arrayBuffer()));
  fileHashes = h;
  info.textContent = `${file.name} (${file.size} B)\nSHA-256 ${h.sha256}\nSM3 ${h.sm3}`;
  info.dataset.ready = 'true';
}

function verdictText(o: VerifyOutcome, hadDocument: boolean): [string, string, string] {
  switch (o.verdict) {
    case 'not-found':
      return ['not-found', '尚未在司法区块链存证', 'Not recorded on the judicial blockchain'];
    case 'mismatch':
      return ['mismatch', '与链上存证数据比对结果不一致', 'Does not match the data recorded on the blockchain'];
    case 'error':
      return ['error', '查询失败，请稍后再试', 'The lookup failed; please try again later'];
    case 'match':
      if (!o.ledgerVerified) return ['error', '链上验证未通过', 'On-chain verification failed'];
      return hadDocument
        ? ['match', '一致：与链上存证数据比对结果一致', 'Consistent: matches the data recorded on the blockchain']
        : ['match', '已在司法区块链存证，链上验证通过', 'Recorded on the judicial blockchain; on-chain verification passed'];
  }
}

function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}（北京时间） · ${iso}`;
}

function render(o: VerifyOutcome, hadDocument: boolean): void {
  const section = $('result');
  const [kind, zh, en] = verdictText(o, hadDocument);
  section.dataset.verdict = kind;
  const verdict = $('verdict');
  verdict.replaceChildren(bilingual('span', `验证结果：${zh}`, `Result: ${en}`));
  const dl = $('record');
  dl.replaceChildren();
  const r = o.record;
  const rows: [string, string, string, string][] = r
    ? [
        ['evidence-id', '存证编号', 'Evidence ID', r.evidenceId],
        ['recorded-at', '存证时间', 'Recorded at', formatTime(r.recordedAt)],
        ['verdict-row', '验证结果', 'Result', `${zh} · ${en}`],
        ['document-type', '文书类型', 'Document type', r.documentType ?? '—'],
        ['case-number', '案号', 'Case number', r.caseNumber ?? '—'],
        ['court', '存证机构', 'Recorded by', r.courtDid ?? '—'],
        ['sha256', 'SHA-256', 'SHA-256', r.hashes.sha256 ?? '—'],
        ['sm3', 'SM3', 'SM3', r.hashes.sm3 ?? '—'],
        ['ledger-index', '账本序号', 'Ledger index', String(r.ledgerIndex)],
      ]
    : [['verdict-row', '验证结果', 'Result', `${zh} · ${en}`]];
  for (const [id, zhL, enL, value] of rows) {
    const dt = bilingual('dt', zhL, enL);
    const dd = el('dd', value, id === 'sha256' || id === 'sm3' ? 'mono' : undefined);
    dd.dataset.field = id;
    dl.append(dt, dd);
  }
  if (o.records.length > 1) dl.append(bilingual('dt', '其他记录', 'Other records'), el('dd', o.records.slice(1).map((x) => x.evidenceId).join(', ')));
  const ol = $('steps');
  ol.replaceChildren(
    ...o.steps.map((s) => {
      const [mark, zhS, enS] = STATUS_LABELS[s.status];
      const [zhL, enL] = STEP_LABELS[s.id];
      const li = document.createElement('li');
      li.dataset.step = s.id;
      li.dataset.status = s.status;
      li.append(el('span', mark, 'mark'), document.createTextNode(`${zhL}：${zhS}`));
      const enLine = el('span', `${enL}: ${enS}`, 'en');
      enLine.lang = 'en';
      li.append(enLine);
      if (s.detail !== '' || s.code !== undefined) li.append(el('span', [s.code, s.detail].filter(Boolean).join(' — '), 'detail mono'));
      return li;
    }),
  );
  section.hidden = false;
  section.dataset.done = 'true';
}

async function onSubmit(ev: Event): Promise<void> {
  ev.preventDefault();
  const err = $('form-error');
  err.textContent = '';
  const hashText = ($('hash') as HTMLInputElement).value.trim().toLowerCase().replace(/^0x/, '');
  const evidenceId = ($('evidence-id') as HTMLInputElement).value.trim();
  const input: VerifyInput = {};
  if (hashText !== '') {
    if (!/^[0-9a-f]{64}$/.test(hashText)) {
      err.textContent = '哈希值须为 64 位十六进制。 The hash must be 64 hex digits.';
      return;
    }
    input.hash = hashText;
  } else if (fileHashes !== undefined) input.hashes = fileHashes;
  if (evidenceId !== '') {
    if (!EVIDENCE_ID.test(evidenceId)) {
      err.textContent = '存证编号格式应如 CB20261126-0000000042。 An evidence ID looks like CB20261126-0000000042.';
      return;
    }
    input.evidenceId = evidenceId;
  }
  if (input.hash === undefined && input.hashes === undefined && input.evidenceId === undefined) {
    err.textContent = '请选择文件、粘贴哈希值或输入存证编号。 Choose a file, paste a hash or enter an evidence ID.';
    return;
  }
  const button = $('submit') as HTMLButtonElement;
  button.disabled = true;
  $('result').dataset.done = 'false';
  try {
    const outcome = await verifyPublic((url) => fetch(url, { headers: { accept: 'application/json' } }), input);
    render(outcome, input.hash !== undefined || input.hashes !== undefined);
  } finally {
    button.disabled = false;
  }
}

function init(): void {
  const file = $('file') as HTMLInputElement;
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (f !== undefined) void takeFile(f);
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f !== undefined) void takeFile(f);
  });
  $('verify-form').addEventListener('submit', (e) => void onSubmit(e));
  document.body.dataset.ready = 'true';
}

init();
