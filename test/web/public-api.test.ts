/**
 * web/src/verify.ts `verifyPublic` in Node (WebCrypto + sm-crypto-v2, no browser) against the REAL API
 * (`buildApp`, in-process through `app.inject`) over a real SQLite ledger: the verdicts, each step, and one
 * adversarial case per code the page introduces (WEB_API_UNAVAILABLE, ENTRY_MISMATCH); plus `webPlugin` serving the
 * page inside an app that refuses routes without an audience.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthToken } from '../../did/auth.js';
import { JwtVerifier } from '../../did/jwt.js';
import { DidResolver } from '../../did/resolver.js';
import { buildApp } from '../../src/api/app.js';
import { trackAudiences } from '../../src/api/auth.js';
import { EVIDENCE_ID_PATTERN } from '../../src/api/court-records.js';
import { openApiStore } from '../../src/api/store/open.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { openStore } from '../../src/ledger/store/open.js';
import type { Fetcher } from '../../web/src/api.js';
import { EVIDENCE_ID, verifyPublic } from '../../web/src/verify.js';
import { webFiles, webPlugin } from '../../web/serve.js';
import { buildPage } from '../e2e/harness.js';
import { identity } from '../did/fixtures.js';

const hex = (alg: string, s: string): string => createHash(alg).update(s).digest('hex');
const hashesOf = (s: string) => ({ sha256: hex('sha256', s), sm3: hex('sm3', s) });
const statuses = (steps: { id: string; status: string }[]) => Object.fromEntries(steps.map((s) => [s.id, s.status]));

/** A fetcher over app.inject, optionally rewriting a JSON response body. */
function injectFetcher(app: FastifyInstance, rewrite?: (url: string, body: Record<string, unknown>) => void): Fetcher {
  return async (url) => {
    const res = await app.inject({ method: 'GET', url });
    let body = res.body;
    if (rewrite && res.statusCode === 200) {
      const json = JSON.parse(body) as Record<string, unknown>;
      rewrite(url, json);
      body = JSON.stringify(json);
    }
    return new Response(body, { status: res.statusCode, headers: { 'content-type': 'application/json' } });
  };
}

describe('verifyPublic against the real API (app.inject, SQLite ledger)', () => {
  let dir: string;
  let app: FastifyInstance;
  let ledger: Ledger;
  let evidenceId: string;
  const doc = '裁定书正文 — public-api test';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cb-web-api-'));
    const ledgerStore = await openStore({ kind: 'sqlite', path: join(dir, 'l.db') });
    ledger = await Ledger.init(ledgerStore, { origin: 'courtbridge.test/web-api', hashAlg: 'sha256', masterKey: 'k' });
    const store = await openApiStore(ledgerStore);
    const hub = identity();
    const court = identity();
    await store.putMember({ did: court.did, roles: ['court'], enabled: true });
    app = await buildApp({ ledger, store, hubDid: hub.did, jwt: new JwtVerifier(new DidResolver()), rateLimit: false, log: { level: 'silent' } });
    for (const [i, text] of ['a', doc, 'b'].entries()) {
      const res = await app.inject({
        method: 'POST', url: '/api/v1/court/records',
        headers: { authorization: `Bearer ${await createAuthToken(court.signer, court.did, hub.did)}` },
        payload: { kind: 'court-document', documentType: '裁定书', caseNumber: `（2026）京0491民初${200 + i}号`, hashes: hashesOf(text) },
      });
      expect(res.statusCode).toBe(201);
      if (text === doc) evidenceId = (res.json() as { record: { evidenceId: string } }).record.evidenceId;
    }
  });
  afterAll(async () => {
    await app.close();
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the page\'s 存证编号 pattern is the API\'s', () => {
    expect(EVIDENCE_ID.source).toBe(EVIDENCE_ID_PATTERN);
    expect(EVIDENCE_ID.test(evidenceId)).toBe(true);
  });

  it('file hashes → match, every step ok; by SM3 alone, by 存证编号 alone → match', async () => {
    const f = injectFetcher(app);
    for (const input of [{ hashes: hashesOf(doc) }, { hash: hashesOf(doc).sm3 }, { evidenceId }, { evidenceId, hashes: hashesOf(doc) }]) {
      const o = await verifyPublic(f, input);
      expect(o.verdict).toBe('match');
      expect(o.ledgerVerified).toBe(true);
      expect(o.record?.evidenceId).toBe(evidenceId);
    }
  });

  it('unknown hash → not-found; 存证编号 + other document → mismatch with the ledger steps still ok', async () => {
    const f = injectFetcher(app);
    expect((await verifyPublic(f, { hashes: hashesOf('nope') })).verdict).toBe('not-found');
    const o = await verifyPublic(f, { evidenceId, hashes: hashesOf('nope') });
    expect(o.verdict).toBe('mismatch');
    expect(statuses(o.steps)).toEqual({ lookup: 'ok', compare: 'failed', checkpoint: 'ok', entry: 'ok', inclusion: 'ok' });
  });

  it('a changed ledger entry → ENTRY_MISMATCH at the entry step (adversarial)', async () => {
    const f = injectFetcher(app, (url, body) => {
      if (url.includes('/entries/')) (body.entry as Record<string, unknown>).documentType = '判决书';
    });
    const o = await verifyPublic(f, { hashes: hashesOf(doc) });
    expect(o.steps.find((s) => s.id === 'entry')).toMatchObject({ status: 'failed', code: 'ENTRY_MISMATCH' });
    expect(o.ledgerVerified).toBe(false);
  });

  it('an API that answers an error → WEB_API_UNAVAILABLE at the lookup step (adversarial)', async () => {
    const down: Fetcher = async () => new Response(JSON.stringify({ code: 'STORE_UNAVAILABLE', message: 'x' }), { status: 503 });
    const o = await verifyPublic(down, { hashes: hashesOf(doc) });
    expect(o.verdict).toBe('error');
    expect(o.steps[0]).toMatchObject({ id: 'lookup', status: 'failed', code: 'WEB_API_UNAVAILABLE' });
    const broken: Fetcher = async () => { throw new TypeError('fetch failed'); };
    expect((await verifyPublic(broken, { evidenceId })).steps[0]?.code).toBe('WEB_API_UNAVAILABLE');
  });

  it('a proof for another tree size, or a checkpoint whose served root differs from the signed one, fails its step', async () => {
    const f1 = injectFetcher(app, (url, body) => {
      if (url.includes('/proofs/inclusion')) body.treeSize = Number(body.treeSize) + 1;
    });
    expect((await verifyPublic(f1, { evidenceId })).steps.find((s) => s.id === 'inclusion')?.code).toBe('PROOF_SIZE_INVALID');
    const f2 = injectFetcher(app, (url, body) => {
      if (url.endsWith('/checkpoint')) body.root = '00'.repeat(32);
    });
    expect((await verifyPublic(f2, { evidenceId })).steps.find((s) => s.id === 'checkpoint')?.code).toBe('CHECKPOINT_MALFORMED');
  });
});

describe('webPlugin', () => {
  it('serves the built page at / as public routes in an app that refuses routes without an audience; nothing else', async () => {
    buildPage();
    expect(webFiles()).toEqual(expect.arrayContaining(['index.html', 'app.js', 'style.css']));
    const app = Fastify();
    trackAudiences(app);
    await app.register(webPlugin);
    await app.ready();
    const index = await app.inject('/');
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.body).toContain('司法区块链存证核验');
    expect((await app.inject('/app.js')).headers['content-type']).toMatch(/javascript/);
    expect((await app.inject('/../package.json')).statusCode).toBe(404);
    expect((await app.inject('/%2e%2e/package.json')).statusCode).toBe(404);
    await app.close();
  });
});
