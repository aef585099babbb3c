/**
 * Part 7 of the demo: the HTTP API (src/api/app.ts) and the public verification page (web/serve.ts) on the demo's
 * SQLite store, like `courtbridge api serve`. A court document (a sample judgment written to data/demo/) is attested
 * first, so a visitor has a 存证编号 and a file to check on the page; the public lookup is then called once over HTTP
 * to show that it answers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.js';
import { CourtRecords } from '../../api/court-records.js';
import type { ApiStore } from '../../api/store/types.js';
import { toHex } from '../../crypto/bytes.js';
import { sha256, sm3 } from '../../crypto/hash.js';
import { fail } from '../../errors.js';
import type { Ledger } from '../../ledger/ledger.js';
import { JwtVerifier } from '../../../did/jwt.js';
import { DidResolver } from '../../../did/resolver.js';
import { webPlugin } from '../../../web/serve.js';
import { demoIdentity } from './registrations.js';
import { say } from './ui.js';

/** The running server and the record a visitor can check. */
export interface DemoServer {
  app: FastifyInstance;
  url: string;
  evidenceId: string;
  documentFile: string;
}

/** Attest the sample judgment, start the API + page on `port` (0 = any free port) and check the public lookup once. */
export async function servePart(dir: string, ledger: Ledger, store: ApiStore, hubDid: string, subjectSalt: Uint8Array, port: number): Promise<DemoServer> {
  const court = demoIdentity('Ed25519');
  const documentFile = join(dir, 'judgment-2024-min-0102-min-chu-123.txt');
  const text = '福建省福州市鼓楼区人民法院\n民事判决书\n(2024)闽0102民初123号\n\n（示例文书：CourtBridge 演示 / CourtBridge demo document）\n';
  writeFileSync(documentFile, text);
  const bytes = new TextEncoder().encode(text);
  const { row } = await new CourtRecords(ledger, store).attest(court.did, {
    kind: 'court-document', documentType: '民事判决书', caseNumber: '(2024)闽0102民初123号', hashes: { sha256: toHex(sha256(bytes)), sm3: toHex(sm3(bytes)) },
  });
  const cp = await ledger.checkpoint(); // the page checks the inclusion proof against the newest signed checkpoint
  say(`   court ${court.did.slice(0, 28)}… attests its judgment (SHA-256 + SM3 of ${documentFile.split('/').pop()}): 存证编号 ${row.evidenceId}, ledger #${row.ledgerIndex}, checkpoint ${cp.treeSize}`);

  const app = await buildApp({ ledger, store, hubDid, jwt: new JwtVerifier(new DidResolver()), plugins: [webPlugin], subjectSalt, log: { level: 'warn' } });
  let url: string;
  try {
    url = await app.listen({ host: '127.0.0.1', port });
  } catch (e) {
    if (port === 0) throw e;
    url = await app.listen({ host: '127.0.0.1', port: 0 }); // the preferred port is taken
  }
  const res = await fetch(`${url}/api/v1/public/records?evidenceId=${encodeURIComponent(row.evidenceId)}`);
  const body = (await res.json()) as { found?: boolean; records?: { ledgerIndex: number }[] };
  if (body.found !== true) fail('INTERNAL', { reason: `public lookup of ${row.evidenceId} answered ${res.status}` });
  say(`   GET /api/v1/public/records?evidenceId=${row.evidenceId} → found, ledger #${body.records?.[0]?.ledgerIndex}`);
  return { app, url, evidenceId: row.evidenceId, documentFile };
}
