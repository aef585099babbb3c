/** Log redaction: a full request set is captured; no token, private key or raw personal identifier appears. */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/bytes.js';
import { apiWorld, docHashes } from './fixtures.js';

const RESIDENT_ID = '11010519491231002X';

describe('pino logs', () => {
  it('JSON lines without tokens, keys or raw identifiers', async () => {
    const w = await apiWorld();
    const tokens: string[] = [];
    const tok = async (who: Parameters<typeof w.token>[0]) => { const t = await w.token(who); tokens.push(t); return t; };
    const h = docHashes('logged document');
    const reqs = [
      { method: 'POST', url: '/api/v1/court/records', headers: { authorization: `Bearer ${await tok('court')}` }, payload: { kind: 'court-document', documentType: '判决书', caseNumber: '（2024）京0105民初1号', hashes: h } },
      { method: 'POST', url: '/api/v1/court/records', headers: { authorization: `Bearer ${await tok('court')}` }, payload: { kind: 'court-document', documentType: '判决书', caseNumber: RESIDENT_ID, hashes: h, name: '张三' } },
      { method: 'POST', url: '/api/v1/court/records', headers: { authorization: `Bearer ${await tok('partner')}` }, payload: { residentId: RESIDENT_ID } },
      { method: 'POST', url: '/api/v1/court/records', headers: { authorization: `Bearer ${await tok('stranger')}` }, payload: {} },
      { method: 'GET', url: `/api/v1/public/records?hash=${h.sha256}&residentId=${RESIDENT_ID}` },
      { method: 'GET', url: `/api/v1/public/records?evidenceId=${RESIDENT_ID}` },
      { method: 'GET', url: `/nope/${RESIDENT_ID}?subject=${RESIDENT_ID}` },
      { method: 'PUT', url: `/api/v1/admin/members/${encodeURIComponent(w.ids.stranger.did)}`, headers: { authorization: `Bearer ${await tok('admin')}`, cookie: 'session=secret-cookie' }, payload: { roles: ['court'], enabled: true } },
      { method: 'GET', url: '/api/v1/public/checkpoint' },
      { method: 'GET', url: '/metrics' },
    ] as const;
    for (const r of reqs) expect((await w.app.inject(r as never)).statusCode).toBeLessThan(500);
    await w.close();
    expect(w.logs.lines.length).toBeGreaterThan(reqs.length);
    for (const l of w.logs.lines) expect(() => JSON.parse(l)).not.toThrow();
    const all = w.logs.lines.join('\n');
    for (const t of tokens) {
      expect(all).not.toContain(t);
      expect(all).not.toContain(t.split('.')[2]!);
    }
    expect(all, w.logs.lines.filter((l) => l.includes(RESIDENT_ID)).join('\n')).not.toContain(RESIDENT_ID);
    expect(all).not.toContain('张三');
    expect(all).not.toContain('secret-cookie');
    for (const id of Object.values(w.ids)) expect(all).not.toContain(toHex(id.kp.privateKey));
    expect(all).not.toContain(toHex(w.hub.kp.privateKey));
    expect(all).toContain('"route":"/api/v1/court/records"');
  });
});
