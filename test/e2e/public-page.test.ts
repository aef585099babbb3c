/**
 * End to end in a real headless Chromium (Debian's package, driven by playwright-core): the public verification
 * page served by the API over a real Ledger on SQLite. A court document is attested; the visitor drops the file,
 * pastes its hashes or its 存证编号, and the page hashes (WebCrypto SHA-256 + SM3), looks up and verifies the
 * signed checkpoint, the ledger entry and the inclusion proof in the browser.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerHashAlg } from '../../src/config.js';
import { browserSkipReason, buildPage, launchChromium, startServer, type E2eServer } from './harness.js';

const SCREENSHOTS = join(import.meta.dirname, '__screenshots__');
const title = (name: string): string => (browserSkipReason === undefined ? name : `${name} — SKIPPED: ${browserSkipReason}`);

const hex = (alg: 'sha256' | 'sm3', b: Uint8Array): string => createHash(alg).update(b).digest('hex');

async function submit(page: Page): Promise<void> {
  await page.click('#submit');
  await page.waitForSelector('#result[data-done="true"]', { timeout: 20_000 });
}

async function steps(page: Page): Promise<Record<string, string>> {
  return page.$$eval('#steps li', (lis) => Object.fromEntries(lis.map((li) => [li.getAttribute('data-step'), li.getAttribute('data-status')])));
}

async function chooseFile(page: Page, path: string): Promise<void> {
  await page.setInputFiles('#file', path);
  await page.waitForSelector('#file-info[data-ready="true"]');
}

for (const hashAlg of ['sha256', 'sm3'] as LedgerHashAlg[]) {
  describe.skipIf(browserSkipReason !== undefined)(title(`public verification page in headless Chromium (${hashAlg} ledger)`), () => {
    let server: E2eServer;
    let browser: Browser;
    let page: Page;
    let dir: string;
    let docPath: string;
    let otherPath: string;
    let doc: Uint8Array;
    let evidenceId: string;
    let recordedAt: string;
    const requests: { method: string; url: string; body: string | null }[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cb-e2e-files-'));
      doc = new TextEncoder().encode(`民事判决书 (2026)京0491民初123号 — ${hashAlg} — ${'正文'.repeat(500)}`);
      docPath = join(dir, '判决书.pdf');
      otherPath = join(dir, 'other.pdf');
      writeFileSync(docPath, doc);
      writeFileSync(otherPath, new TextEncoder().encode('a different document'));
      buildPage();
      server = await startServer(hashAlg);
      // Fillers first so that the proof has several nodes, then the document, then more fillers.
      for (let i = 0; i < 5; i++) {
        const b = new TextEncoder().encode(`filler ${i}`);
        await server.attest({ kind: 'service-receipt', documentType: '送达回执', caseNumber: `（2026）京0491民初${100 + i}号`, hashes: { sha256: hex('sha256', b), sm3: hex('sm3', b) } });
      }
      const row = await server.attest({ kind: 'court-document', documentType: '判决书', caseNumber: '（2026）京0491民初123号', hashes: { sha256: hex('sha256', doc), sm3: hex('sm3', doc) } });
      evidenceId = row.evidenceId;
      recordedAt = row.recordedAt;
      for (let i = 5; i < 7; i++) {
        const b = new TextEncoder().encode(`filler ${i}`);
        await server.attest({ kind: 'e-file', documentType: '电子卷宗', caseNumber: `（2026）京0491民初${100 + i}号`, hashes: { sha256: hex('sha256', b), sm3: hex('sm3', b) } });
      }
      browser = await launchChromium();
      page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1000, height: 1200 } });
      page.on('request', (r) => requests.push({ method: r.method(), url: r.url(), body: r.postData() }));
      page.on('pageerror', (e) => requests.push({ method: 'PAGEERROR', url: String(e), body: null }));
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    async function open(): Promise<void> {
      await page.unrouteAll();
      await page.goto(server.baseUrl);
      await page.waitForSelector('body[data-ready="true"]');
    }

    it('the dropped file is 一致 with 存证编号 and 存证时间, every verification step passes, nothing is uploaded', async () => {
      await open();
      await chooseFile(page, docPath);
      const info = await page.textContent('#file-info');
      expect(info).toContain(hex('sha256', doc));
      expect(info).toContain(hex('sm3', doc));
      await submit(page);
      expect(await page.getAttribute('#result', 'data-verdict')).toBe('match');
      expect(await page.textContent('#verdict')).toContain('一致');
      expect(await page.textContent('[data-field="evidence-id"]')).toBe(evidenceId);
      expect(await page.textContent('[data-field="recorded-at"]')).toContain(recordedAt);
      expect(await page.textContent('[data-field="case-number"]')).toBe('（2026）京0491民初123号');
      expect(await steps(page)).toEqual({ lookup: 'ok', compare: 'ok', checkpoint: 'ok', entry: 'ok', inclusion: 'ok' });
      expect(await page.textContent('[data-step="checkpoint"]')).toContain('SM2');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `match-${hashAlg}.png`), fullPage: true });
      // Nothing uploaded: only GETs, no request bodies, no page errors; the file's bytes never left the browser.
      expect(requests.filter((r) => r.method !== 'GET' || r.body !== null)).toEqual([]);
    });

    it('a file dropped on the drop zone (drag and drop, DataTransfer) is hashed in the page and found', async () => {
      await open();
      const bytes = Array.from(doc);
      const dt = await page.evaluateHandle((b) => {
        // Runs in the page (DOM types are not in this project's lib).
        const T = (globalThis as unknown as { DataTransfer: new () => { items: { add(f: File): void } } }).DataTransfer;
        const t = new T();
        t.items.add(new File([new Uint8Array(b)], '判决书.pdf', { type: 'application/pdf' }));
        return t;
      }, bytes);
      await page.dispatchEvent('#drop', 'dragover', { dataTransfer: dt });
      await page.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
      await page.waitForSelector('#file-info[data-ready="true"]');
      await submit(page);
      expect(await page.getAttribute('#result', 'data-verdict')).toBe('match');
      expect(await page.textContent('[data-field="evidence-id"]')).toBe(evidenceId);
    });

    it('a different file → 尚未在司法区块链存证', async () => {
      await open();
      await chooseFile(page, otherPath);
      await submit(page);
      expect(await page.getAttribute('#result', 'data-verdict')).toBe('not-found');
      expect(await page.textContent('#verdict')).toContain('尚未在司法区块链存证');
      expect(await steps(page)).toEqual({ lookup: 'ok', compare: 'skipped', checkpoint: 'skipped', entry: 'skipped', inclusion: 'skipped' });
      if (hashAlg === 'sha256') await page.screenshot({ path: join(SCREENSHOTS, 'not-found.png'), fullPage: true });
    });

    it('存证编号 with a different file → 与链上存证数据比对结果不一致 (the record itself still verifies)', async () => {
      await open();
      await chooseFile(page, otherPath);
      await page.fill('#evidence-id', evidenceId);
      await submit(page);
      expect(await page.getAttribute('#result', 'data-verdict')).toBe('mismatch');
      expect(await page.textContent('#verdict')).toContain('与链上存证数据比对结果不一致');
      expect(await page.textContent('#verdict')).not.toContain('尚未');
      expect(await page.textContent('[data-field="evidence-id"]')).toBe(evidenceId);
      expect(await steps(page)).toEqual({ lookup: 'ok', compare: 'failed', checkpoint: 'ok', entry: 'ok', inclusion: 'ok' });
      if (hashAlg === 'sha256') await page.screenshot({ path: join(SCREENSHOTS, 'mismatch.png'), fullPage: true });
    });

    it('存证编号 with the right file → 一致', async () => {
      await open();
      await chooseFile(page, docPath);
      await page.fill('#evidence-id', evidenceId);
      await submit(page);
      expect(await page.getAttribute('#result', 'data-verdict')).toBe('match');
    });

    it('a pasted SHA-256 hex and a pasted SM3 hex (0x, upper case) are found', async () => {
      for (const h of [hex('sha256', doc), `0x${hex('sm3', doc).toUpperCase()}`]) {
        await open();
        await page.fill('#hash', h);
        await submit(page);
        expect(await page.getAttribute('#result', 'data-verdict')).toBe('match');
        expect(await page.textContent('[data-field="evidence-id"]')).toBe(evidenceId);
        expect(Object.values(await steps(page)).every((s) => s === 'ok')).toBe(true);
      }
    });

    it('a malformed pasted hash is refused in the form, before any request', async () => {
      await open();
      await page.fill('#hash', 'abc');
      await page.click('#submit');
      expect(await page.textContent('#form-error')).toContain('64');
      expect(await page.isHidden('#result')).toBe(true);
    });

    it('a tampered inclusion proof (one flipped byte, intercepted) → the proof step fails, the verdict is not 一致', async () => {
      await open();
      await page.route('**/api/v1/public/proofs/inclusion**', async (route) => {
        const res = await route.fetch();
        const body = (await res.json()) as { proof: string[] };
        const first = body.proof[0]!;
        body.proof[0] = (Number.parseInt(first.slice(0, 2), 16) ^ 0x01).toString(16).padStart(2, '0') + first.slice(2);
        await route.fulfill({ response: res, json: body });
      });
      await chooseFile(page, docPath);
      await submit(page);
      expect(await steps(page)).toEqual({ lookup: 'ok', compare: 'ok', checkpoint: 'ok', entry: 'ok', inclusion: 'failed' });
      expect(await page.textContent('[data-step="inclusion"]')).toContain('INCLUSION_PROOF_INVALID');
      expect(await page.getAttribute('#result', 'data-verdict')).toBe('error');
      expect(await page.textContent('#verdict')).toContain('链上验证未通过');
      if (hashAlg === 'sha256') await page.screenshot({ path: join(SCREENSHOTS, 'tampered-proof.png'), fullPage: true });
    });

    it('a tampered checkpoint signature (intercepted) → the checkpoint step fails', async () => {
      await open();
      await page.route('**/api/v1/public/checkpoint', async (route) => {
        const res = await route.fetch();
        const body = (await res.json()) as { note: string; treeSize: number };
        body.note = body.note.replace(`\n${body.treeSize}\n`, `\n${body.treeSize + 1}\n`);
        body.treeSize += 1;
        await route.fulfill({ response: res, json: body });
      });
      await page.fill('#evidence-id', evidenceId);
      await submit(page);
      expect((await steps(page)).checkpoint).toBe('failed');
      expect(await page.textContent('[data-step="checkpoint"]')).toContain('NOTE_SIGNATURE_INVALID');
    });

    it('no page errors were thrown', () => {
      expect(requests.filter((r) => r.method === 'PAGEERROR')).toEqual([]);
    });
  });
}
