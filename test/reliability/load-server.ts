/**
 * The API process of the load test (load.test.ts forks it from dist/, so that the server has its own event loop and
 * core while autocannon drives it from the test process): the real API (`buildApp` on 127.0.0.1, a SQLite store
 * file, the real ledger with signed checkpoints, rate limits on but high), pre-filled with relay attestations and
 * court records. IPC protocol (process.send):
 *   → parent `{ready, url, courtDid, prefillHashes, tokens}` once listening (single-use court bearer tokens);
 *   ← `{check, acked, sent}` after the run → `{checked, missing, strangers, ledgerGrowth, errorLogs}`;
 *   ← `{cpu}` → `{cpuMicros}` (user + system CPU of this process so far: the bench takes differences);
 *   ← `{stop}` → closes everything and exits 0.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { uscc } from '../relay/helpers.js';
import { subjectRef } from '../../src/ids/subject.js';
import { canonicalJson } from '../../src/crypto/canonical.js';
import { CourtRecords, COURT_RECORD_TYPE } from '../../src/api/court-records.js';
import { LogCapture, SALT, apiWorld, docHashes } from '../api/fixtures.js';

/** What the parent asks for. */
export interface LoadServerArgs {
  attestations: number;
  records: number;
  subjects: number;
  tokens: number;
}

/** One acknowledged write, as the parent saw it. */
export interface AckedWrite {
  sha256: string;
  ledgerIndex: number;
  evidenceId: string;
}

/** A relay attestation leaf (as the relay appends it) whose subject is USCC number `s`. */
export const attestationLeaf = (i: number, s: number) => ({
  attestation: {
    type: 'courtbridge.attestation/v1', id: `0x${String(i).padStart(64, '0')}`,
    source: { chainId: 'eip155:1337', recordType: 'dishonest-debtor', keyRef: subjectRef('text', `key-${i}`, SALT), blockHeight: 100 + i, blockHash: `0x${'ab'.repeat(32)}` },
    record: { schemaId: 'https://courtbridge.example/schemas/domain/credit/dishonest-debtor/v1', digest: `0x${'cd'.repeat(32)}` },
    evidence: { kind: 'evm-storage', digest: `0x${'ef'.repeat(32)}` },
    subjects: [{ pointer: '/uscc', kind: 'uscc', ref: subjectRef('uscc', uscc(s), SALT) }],
    relay: 'did:key:z6Mk', issuedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
  },
  jws: 'x..y',
});

/** A court record body (a unique document per `tag` and `n`). */
export const recordBody = (tag: string, n: number) => ({
  kind: 'court-document' as const, documentType: '判决书', caseNumber: `（2026）京0105民初${1 + (n % 9000)}号`, hashes: docHashes(`load ${tag} document ${n}`),
});

async function main(args: LoadServerArgs): Promise<void> {
  const logs = new LogCapture();
  const w = await apiWorld({ rateLimit: { perMember: 100_000_000, perAddress: 100_000_000 }, log: { level: 'warn', stream: logs } });
  await Promise.all(Array.from({ length: args.attestations }, (_, i) => w.ledger.append(attestationLeaf(i, i % args.subjects))));
  const records = new CourtRecords(w.ledger, w.deps.store);
  const prefillHashes: string[] = [];
  for (let n = 0; n < args.records; n++) {
    const b = recordBody('prefill', n);
    await records.attest(w.ids.court.did, b);
    prefillHashes.push(b.hashes.sha256);
  }
  await w.ledger.checkpoint();
  const startSize = await w.ledger.size();
  // Index the pre-fill now (the court query would do it on its first call, inside the timed run).
  await w.app.inject({ method: 'GET', url: '/api/v1/court/attestations?limit=1', headers: { authorization: `Bearer ${await w.token('court')}` } });
  const tokens: string[] = [];
  for (let i = 0; i < args.tokens; i += 500) tokens.push(...(await Promise.all(Array.from({ length: Math.min(500, args.tokens - i) }, () => w.token('court', { ttl: 300 })))));
  const url = await w.app.listen({ host: '127.0.0.1', port: 0 });
  // COURTBRIDGE_LOAD_PROFILE=FILE: a V8 CPU profile of the run (with its warm-up, not the pre-fill), to see where server time goes.
  const profileFile = process.env.COURTBRIDGE_LOAD_PROFILE;
  const profiler = profileFile === undefined ? undefined : new Session();
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  process.send!({ ready: true, url, courtDid: w.ids.court.did, prefillHashes, tokens });

  process.on('message', (m: { check?: true; acked?: AckedWrite[]; sent?: string[]; cpu?: true; stop?: true }) => {
    void (async () => {
      if (m.cpu) {
        const u = process.cpuUsage();
        process.send!({ cpuMicros: u.user + u.system });
      }
      if (m.check) {
        if (profiler) writeFileSync(profileFile!, JSON.stringify((await profiler.post('Profiler.stop')).profile));
        const missing: string[] = [];
        for (const a of m.acked!) {
          const rows = await w.deps.store.courtRecordsByHash(a.sha256, 4);
          if (!rows.some((r) => r.ledgerIndex === a.ledgerIndex && r.evidenceId === a.evidenceId)) missing.push(`${a.evidenceId}: no index row`);
          const leaf = JSON.parse(Buffer.from((await w.ledger.get(a.ledgerIndex)).data).toString('utf8')) as { type: string; hashes: { sha256: string }; courtDid: string };
          if (leaf.type !== COURT_RECORD_TYPE || leaf.hashes.sha256 !== a.sha256 || leaf.courtDid !== w.ids.court.did) missing.push(`${a.evidenceId}: leaf ${a.ledgerIndex} is ${canonicalJson(leaf).slice(0, 120)}`);
        }
        // Every leaf the run added is one of the documents the parent sent (no other, none twice).
        const sent = new Set(m.sent);
        const seen = new Set<string>();
        const strangers: string[] = [];
        const endSize = await w.ledger.size();
        for (let i = startSize; i < endSize; i++) {
          const h = (JSON.parse(Buffer.from((await w.ledger.get(i)).data).toString('utf8')) as { hashes?: { sha256?: string } }).hashes?.sha256 ?? '';
          if (!sent.has(h) || seen.has(h)) strangers.push(`leaf ${i}`);
          seen.add(h);
        }
        const errorLogs = logs.lines.filter((l) => /"level":(50|60)/.test(l)).slice(0, 5);
        process.send!({ checked: true, missing, strangers, ledgerGrowth: endSize - startSize, errorLogs });
      }
      if (m.stop) {
        await w.close();
        process.exit(0);
      }
    })().catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
  });
}

if (process.send !== undefined && process.argv[2] !== undefined) {
  main(JSON.parse(process.argv[2]) as LoadServerArgs).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
