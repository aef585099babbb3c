/** Public, DID and system routes, court records, error mapping (in-process with app.inject). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../src/crypto/bytes.js';
import { hashSuite } from '../../src/crypto/hash.js';
import { verifyInclusion } from '../../src/ledger/merkle.js';
import { buildApp, routeTable } from '../../src/api/app.js';
import { apiWorld, docHashes, type ApiWorld } from './fixtures.js';
import type { SqliteLedgerStore } from '../../src/ledger/store/sqlite.js';

let w: ApiWorld;
beforeAll(async () => { w = await apiWorld(); });
afterAll(async () => { await w.close(); });

const CASE = '（2024）京0105民初12345号';
async function attest(text: string, over: Record<string, unknown> = {}) {
  return w.app.inject({
    method: 'POST', url: '/api/v1/court/records', headers: { authorization: `Bearer ${await w.token('court')}` },
    payload: { kind: 'court-document', documentType: '民事判决书', caseNumber: CASE, hashes: docHashes(text), ...over },
  });
}

describe('court records (§九, §十一, §十二)', () => {
  it('attests both hashes, returns a receipt whose proof verifies against the fresh checkpoint, and is idempotent', async () => {
    const r = await attest('judgment text');
    expect(r.statusCode).toBe(201);
    const b = r.json();
    expect(b.created).toBe(true);
    expect(b.record.evidenceId).toMatch(/^CB\d{8}-\d{10}$/);
    expect(b.record.courtDid).toBe(w.ids.court.did);
    expect(b.checkpoint.treeSize).toBe(b.inclusion.treeSize);
    expect(b.checkpoint.note).toContain(`\n${b.checkpoint.treeSize}\n`);
    const ok = verifyInclusion(hashSuite('sha256'), b.inclusion.leafIndex, b.inclusion.treeSize, fromHex(b.inclusion.leafHash, 'leaf'), b.inclusion.proof.map((p: string) => fromHex(p, 'p')), fromHex(b.checkpoint.root, 'root'));
    expect(ok).not.toBe(false);
    const again = await attest('judgment text');
    expect(again.statusCode).toBe(200);
    expect(again.json().created).toBe(false);
    expect(again.json().record.evidenceId).toBe(b.record.evidenceId);
    // The ledger entry holds hashes, types, case number, court DID and time only.
    const e = (await w.app.inject({ method: 'GET', url: `/api/v1/public/entries/${b.record.ledgerIndex}` })).json();
    expect(Object.keys(e.entry).sort()).toEqual(['caseNumber', 'courtDid', 'documentType', 'hashes', 'kind', 'recordedAt', 'type']);
    expect(e.entry.hashes).toEqual(docHashes('judgment text'));
  });
  it('public lookup by SHA-256, by SM3 and by 存证编号; unknown hash → found: false', async () => {
    const r = (await attest('service receipt', { kind: 'service-receipt', documentType: '送达回执' })).json();
    const h = docHashes('service receipt');
    for (const q of [`hash=${h.sha256}`, `hash=0x${h.sm3.toUpperCase()}`, `evidenceId=${r.record.evidenceId}`]) {
      const l = await w.app.inject({ method: 'GET', url: `/api/v1/public/records?${q}` });
      expect(l.statusCode).toBe(200);
      expect(l.json()).toMatchObject({ found: true, records: [{ evidenceId: r.record.evidenceId, kind: 'service-receipt', hashes: h, ledgerIndex: r.record.ledgerIndex }] });
    }
    const none = await w.app.inject({ method: 'GET', url: `/api/v1/public/records?hash=${'0'.repeat(64)}` });
    expect(none.json()).toEqual({ found: false });
    const both = await w.app.inject({ method: 'GET', url: `/api/v1/public/records?hash=${h.sha256}&evidenceId=${r.record.evidenceId}` });
    expect([both.statusCode, both.json().code]).toEqual([400, 'INVALID_INPUT']);
  });
  it('enforcement operations; bad case number, bad document type, missing SM3 → coded 4xx', async () => {
    expect((await attest('freeze order', { kind: 'enforcement', documentType: 'freeze', caseNumber: '（2024）京0105执123号' })).statusCode).toBe(201);
    const bad = async (over: Record<string, unknown>) => { const r = await attest('x', over); return [r.statusCode, r.json().code]; };
    expect(await bad({ kind: 'enforcement', documentType: '判决书' })).toEqual([400, 'INVALID_INPUT']);
    expect(await bad({ caseNumber: '2024-1' })).toEqual([422, 'CASE_NUMBER_INVALID']);
    expect(await bad({ documentType: '张三 的判决书' })).toEqual([400, 'INVALID_INPUT']);
    expect(await bad({ hashes: { sha256: docHashes('x').sha256 } })).toEqual([400, 'INVALID_INPUT']);
    expect(await bad({ extra: 1 })).toEqual([400, 'INVALID_INPUT']);
  });
});

describe('public ledger routes (Wave 3 contract)', () => {
  it('entries, attestations with proof, inclusion and consistency proofs, checkpoint', async () => {
    await attest('for proofs');
    const cp = (await w.app.inject({ method: 'GET', url: '/api/v1/public/checkpoint' })).json();
    expect(cp).toMatchObject({ hashAlg: 'sha256', origin: 'courtbridge.test/api' });
    expect(cp.verifierKeys).toHaveLength(2);
    const inc = (await w.app.inject({ method: 'GET', url: `/api/v1/public/proofs/inclusion?index=0&treeSize=${cp.treeSize}` })).json();
    expect(inc).toMatchObject({ leafIndex: 0, treeSize: cp.treeSize, root: cp.root, hashAlg: 'sha256' });
    const att = (await w.app.inject({ method: 'GET', url: '/api/v1/public/attestations/0' })).json();
    expect(att.inclusion.root).toBe(cp.root);
    expect(att.checkpoint.note).toBe(cp.note);
    const con = await w.app.inject({ method: 'GET', url: `/api/v1/public/proofs/consistency?size1=1&size2=${cp.treeSize}` });
    expect(con.statusCode).toBe(200);
    expect(con.json().root2).toBe(cp.root);
  });
  it('an attestation read again after a newer checkpoint: the same entry, its proof and checkpoint at the new size', async () => {
    await attest('before the next checkpoint');
    await new Promise((r) => setTimeout(r, 1100)); // the head is re-read at most once a second (HeadCache)
    const first = (await w.app.inject({ method: 'GET', url: '/api/v1/public/attestations/0' })).json();
    await attest('moves the checkpoint on');
    await new Promise((r) => setTimeout(r, 1100));
    const second = await w.app.inject({ method: 'GET', url: '/api/v1/public/attestations/0' });
    expect(second.headers['content-type']).toMatch(/^application\/json/);
    const b = second.json();
    expect(b.checkpoint.treeSize).toBeGreaterThan(first.checkpoint.treeSize);
    expect(b.inclusion.treeSize).toBe(b.checkpoint.treeSize);
    const entry = (await w.app.inject({ method: 'GET', url: '/api/v1/public/entries/0' })).json();
    expect({ index: b.index, leafHash: b.leafHash, entry: b.entry }).toEqual(entry);
    expect(Object.keys(b).sort()).toEqual(['checkpoint', 'entry', 'inclusion', 'index', 'leafHash']);
    const ok = verifyInclusion(hashSuite('sha256'), 0, b.inclusion.treeSize, fromHex(b.leafHash, 'leaf'), b.inclusion.proof.map((p: string) => fromHex(p, 'p')), fromHex(b.checkpoint.root, 'root'));
    expect(ok).not.toBe(false);
    expect(b.checkpoint.note).toContain(`\n${b.checkpoint.treeSize}\n`);
  });
  it('out of range, non-integer and negative indices → coded 4xx, never 5xx', async () => {
    const get = async (url: string) => { const r = await w.app.inject({ method: 'GET', url }); return [r.statusCode, r.json().code]; };
    expect(await get('/api/v1/public/entries/999999')).toEqual([404, 'LEAF_NOT_FOUND']);
    expect(await get('/api/v1/public/entries/abc')).toEqual([400, 'INVALID_INPUT']);
    expect(await get('/api/v1/public/entries/-1')).toEqual([400, 'INVALID_INPUT']);
    expect(await get('/api/v1/public/entries/99999999999999999999')).toEqual([400, 'INVALID_INPUT']);
    expect(await get('/api/v1/public/proofs/inclusion?index=0&treeSize=99999')).toEqual([404, 'LEDGER_SIZE_EXCEEDED']);
    expect((await get('/api/v1/public/proofs/consistency?size1=5&size2=2'))[0]).toBeLessThan(500);
    expect(await get('/api/v1/public/proofs/inclusion')).toEqual([400, 'INVALID_INPUT']);
    // ajv lets Infinity through as an integer within `maximum`: refused before any handler.
    expect(await get('/api/v1/public/proofs/inclusion?index=1e400')).toEqual([400, 'INVALID_INPUT']);
  });
});

describe('errors from the one table', () => {
  it('unknown route 404 ROUTE_NOT_FOUND, bad JSON 400 MALFORMED_JSON, too large 413 TOO_LARGE, wrong media type 415', async () => {
    const nf = await w.app.inject({ method: 'GET', url: '/nope' });
    expect([nf.statusCode, nf.json().code]).toEqual([404, 'ROUTE_NOT_FOUND']);
    const auth = { authorization: `Bearer ${await w.token('court')}` };
    const bad = await w.app.inject({ method: 'POST', url: '/api/v1/court/records', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"kind":' });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'MALFORMED_JSON']);
    const big = await w.app.inject({ method: 'POST', url: '/api/v1/court/records', headers: { authorization: `Bearer ${await w.token('court')}`, 'content-type': 'application/json' }, payload: `{"a":"${'x'.repeat(300_000)}"}` });
    expect([big.statusCode, big.json().code]).toEqual([413, 'TOO_LARGE']);
    const txt = await w.app.inject({ method: 'POST', url: '/api/v1/court/records', headers: { authorization: `Bearer ${await w.token('court')}`, 'content-type': 'application/xml' }, payload: '<a/>' });
    expect([txt.statusCode, txt.json().code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });
  it('an unexpected failure is a bare 500 INTERNAL without stack or internals', async () => {
    const w2 = await apiWorld();
    (w2.deps.store as unknown as { ping: () => Promise<void> }).ping = async () => { throw new TypeError('secret internals at /srv/x.js:1'); };
    const r = await w2.app.inject({ method: 'GET', url: '/readyz' });
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ code: 'INTERNAL', message: 'internal error', details: {} });
    await w2.close();
  });
});

describe('system, DID documents, status lists, OpenAPI', () => {
  it('healthz, readyz, metrics', async () => {
    expect((await w.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await w.app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ status: 'ready' });
    const m = await w.app.inject({ method: 'GET', url: '/metrics' });
    expect(m.body).toContain('courtbridge_api_requests_total');
    expect(m.body).toContain('process_cpu_user_seconds_total');
  });
  it('did:web documents of the hub and a member; unknown member → 404 DID_NOT_FOUND', async () => {
    const hub = await w.app.inject({ method: 'GET', url: '/.well-known/did.json' });
    expect(hub.json().id).toBe('did:web:hub.court.example');
    const m = await w.app.inject({ method: 'GET', url: '/members/court-1/did.json' });
    expect(m.json().id).toBe('did:web:hub.court.example:members:court-1');
    const nf = await w.app.inject({ method: 'GET', url: '/members/nobody/did.json' });
    expect([nf.statusCode, nf.json().code]).toEqual([404, 'DID_NOT_FOUND']);
  });
  it('status list credential is a JWT VC signed by the hub; unknown list → coded 4xx', async () => {
    const r = await w.app.inject({ method: 'GET', url: '/api/v1/public/status/licences-revocation' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('application/vc+jwt');
    const payload = JSON.parse(Buffer.from(r.body.split('.')[1]!, 'base64url').toString());
    expect(payload).toMatchObject({ iss: w.hub.did, vc: { type: ['VerifiableCredential', 'BitstringStatusListCredential'] } });
    const nf = await w.app.inject({ method: 'GET', url: '/api/v1/public/status/none' });
    expect(nf.statusCode).toBeGreaterThanOrEqual(400);
    expect(nf.statusCode).toBeLessThan(500);
  });
  it('OpenAPI 3 lists every route of the route table; Swagger UI answers', async () => {
    const doc = (await w.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    const listed = new Set(Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    const table = routeTable(w.app).filter((r) => !r.url.startsWith('/docs') && r.url !== '/openapi.json');
    expect(table.length).toBeGreaterThan(10);
    for (const r of table) expect(listed, `${r.method} ${r.url}`).toContain(`${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(doc.paths['/api/v1/court/records'].post.security).toEqual([{ didBearer: [] }]);
    expect((await w.app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBeLessThan(400);
  });
});

describe('court-record index repair', () => {
  it('a court-record leaf whose index row was lost is indexed again at start, so a retry stays idempotent', async () => {
    const w2 = await apiWorld();
    const h = docHashes('crash between append and index');
    // The leaf is durable, its row is not (as after a crash between the two transactions).
    const entry = { type: 'courtbridge.court-record/v1', kind: 'court-document', documentType: '判决书', caseNumber: '（2024）京0105民初12345号', courtDid: w2.ids.court.did, hashes: h, recordedAt: '2026-01-02T03:04:05.000Z' };
    const { index } = await w2.ledger.append(entry);
    await w2.ledger.append({ type: 'other' });
    const app2 = await buildApp(w2.deps);
    const l = (await app2.inject({ method: 'GET', url: `/api/v1/public/records?hash=${h.sm3}` })).json();
    expect(l).toMatchObject({ found: true, records: [{ evidenceId: `CB20260102-${String(index).padStart(10, '0')}`, ledgerIndex: index }] });
    const retry = await app2.inject({ method: 'POST', url: '/api/v1/court/records', headers: { authorization: `Bearer ${await w2.token('court')}` }, payload: { kind: 'court-document', documentType: '判决书', caseNumber: entry.caseNumber, hashes: h } });
    expect([retry.statusCode, retry.json().record.ledgerIndex]).toEqual([200, index]);
    await app2.close();
    await w2.close();
  });

  it('index rows are committed without an fsync of their own (they are rebuilt from the leaves), and the handle is back at FULL after each, failed ones too', async () => {
    const db = (w.ledger.store as SqliteLedgerStore).database;
    const level = () => db.pragma('synchronous', { simple: true });
    expect(level()).toBe(2); // FULL: ledger appends and checkpoints stay durable at commit
    const levels: unknown[] = []; // the level each transaction of one court record commits at
    const transaction = db.transaction.bind(db);
    db.transaction = ((fn: (...a: unknown[]) => unknown) => transaction((...a: unknown[]) => {
      levels.push(level());
      return fn(...a);
    })) as typeof db.transaction;
    try {
      expect((await attest('derived index row')).statusCode).toBe(201);
    } finally {
      db.transaction = transaction;
    }
    expect(levels).toContain(1); // the index row: NORMAL
    expect(levels).toContain(2); // the checkpoint: FULL (the ledger's append transaction is built once, not seen here)
    expect(level()).toBe(2);
    await expect(w.deps.store.putAttestations([{ ledgerIndex: Number.NaN } as never])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(level()).toBe(2);
  });

  it('the scan cursor is stored once per 512 leaves; a restarted API re-indexes the rest once, without duplicates', async () => {
    const w2 = await apiWorld();
    try {
      const court = async () => ({ authorization: `Bearer ${await w2.token('court')}` }); // tokens are single-use
      const stored0 = await w2.deps.store.scanCursor();
      const hashes = [0, 1, 2].map((i) => docHashes(`cursor stride ${i}`));
      for (const h of hashes) {
        const r = await w2.app.inject({ method: 'POST', url: '/api/v1/court/records', headers: await court(), payload: { kind: 'court-document', documentType: '判决书', caseNumber: CASE, hashes: h } });
        expect(r.statusCode).toBe(201);
        expect((await w2.app.inject({ method: 'GET', url: '/api/v1/court/attestations?limit=5', headers: await court() })).statusCode).toBe(200);
      }
      expect(await w2.deps.store.scanCursor()).toBe(stored0); // three leaves scanned, no durable cursor write
      await Promise.all(Array.from({ length: 600 }, (_, i) => w2.ledger.append({ type: 'other', i })));
      expect((await w2.app.inject({ method: 'GET', url: '/api/v1/court/attestations?limit=5', headers: await court() })).statusCode).toBe(200);
      const stored1 = await w2.deps.store.scanCursor();
      expect(stored1).toBeGreaterThanOrEqual(stored0 + 512);
      expect(stored1).toBeLessThanOrEqual(await w2.ledger.size());
      // A restart (a new app on the same store) scans from the stored cursor again: each record is still found once.
      const app2 = await buildApp(w2.deps);
      try {
        for (const h of hashes) {
          const l = (await app2.inject({ method: 'GET', url: `/api/v1/public/records?hash=${h.sha256}` })).json();
          expect(l.records).toHaveLength(1);
        }
      } finally {
        await app2.close();
      }
    } finally {
      await w2.close();
    }
  });
});
