/** `courtbridge api serve`: argument errors, and a real listening server over a fresh SQLite store. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { serveApi } from '../../src/cli/commands/api.js';

describe('courtbridge api serve', () => {
  it('usage and bad options exit 2 with a coded line', async () => {
    const io = memoryIo();
    expect(await main(['api'], io)).toBe(2);
    const io2 = memoryIo();
    expect(await main(['api', 'serve', '--port', 'x'], io2)).toBe(2);
    expect(io2.stderr.join('\n')).toMatch(/^error\tINVALID_INPUT/m);
    expect(await main(['api', 'serve', '--nope'], memoryIo())).toBe(2);
  });
  it('serves healthz, readyz and the hub did:web document over HTTP, initialising the ledger, then closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-api-cli-'));
    const env = {
      COURTBRIDGE_STORE: join(dir, 'cb.db'), COURTBRIDGE_MASTER_KEY: 'cli-test-master-key-0123456789',
      COURTBRIDGE_RELAY_KEY_FILE: join(dir, 'hub.json'), COURTBRIDGE_DID_WEB_DOMAIN: 'hub.court.test',
      COURTBRIDGE_API_ADMINS: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
      COURTBRIDGE_ISSUER_ROOTS: 'did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG',
    };
    const notices: string[] = [];
    const server = await serveApi(env, '127.0.0.1', 0, (l) => notices.push(l));
    try {
      expect(notices.join('\n')).toContain('initialised ledger');
      expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${server.url}/readyz`)).json()).toMatchObject({ status: 'ready' });
      expect(((await (await fetch(`${server.url}/.well-known/did.json`)).json()) as { id: string }).id).toBe('did:web:hub.court.test');
      if (existsSync('web/dist/index.html')) expect((await fetch(`${server.url}/`)).headers.get('content-type')).toContain('text/html');
      const nf = await fetch(`${server.url}/api/v1/court/records`, { method: 'POST' });
      expect(nf.status).toBe(401);
      // The court's lawyer-presentation route is mounted (issuers and status lists replayed from the ledger).
      const spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(spec.paths)).toContain('/api/v1/court/presentations/verify');
      expect((await fetch(`${server.url}/api/v1/court/presentations/verify`, { method: 'POST' })).status).toBe(401);
      // With issuer roots and a did:web domain, the issuer routes (credentials included) and the status lists are mounted.
      for (const path of ['/api/v1/issuer/accreditations', '/api/v1/issuer/status-entries', '/api/v1/issuer/credentials']) expect(Object.keys(spec.paths)).toContain(path);
      expect((await fetch(`${server.url}/api/v1/public/status/credentials-revocation`)).status).toBe(200);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
