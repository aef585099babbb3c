/**
 * `npm run demo [-- --once]`: what CourtBridge does today, end to end on the embedded SQLite store.
 *
 * Creates a judicial ledger (SHA-256) and a national-crypto one (SM3), appends attestations with group commit,
 * signs checkpoints (Ed25519 + SM2 signed notes), proves inclusion and consistency and verifies the proofs offline
 * through the same code `courtbridge proof verify` runs, attaches a witness cosignature, audits the store, and shows
 * that editing one stored byte is caught. Without `--once` it keeps appending and checkpointing until Ctrl-C.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { Ledger } from '../ledger/ledger.js';
import { openSqliteStore } from '../ledger/store/sqlite.js';
import { describeFinding } from '../ledger/audit.js';
import { cosignatureLine, parseCheckpoint } from '../ledger/checkpoint.js';
import { generateNoteKey, parseSignerKey } from '../ledger/note-keys.js';
import { hashSuite } from '../crypto/hash.js';
import { toHex } from '../crypto/bytes.js';
import { subjectRef } from '../ids/subject.js';
import { verifyProofFile } from './commands/proof.js';
import { asCourtBridgeError } from '../errors.js';

const BAR_WIDTH = 28;

function bar(done: number, total: number): string {
  const filled = Math.round((done / total) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(done).padStart(String(total).length)}/${total}`;
}

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function step(n: number, title: string): void {
  say();
  say(`── ${n}. ${title}`);
}

/** A sample attestation of the shape the relay writes: personal identifiers only as salted references. */
function sampleAttestation(i: number, salt: Uint8Array): object {
  const uscc = '91350100M000100Y43'; // GB 32100 example code
  return {
    v: 1,
    kind: 'demo-attestation',
    chain: i % 2 === 0 ? 'eip155:31337' : 'bft:copyright-demo',
    recordType: i % 2 === 0 ? 'market/enterprise-basic-info' : 'ip/copyright-registration',
    block: { height: 1000 + i, hash: toHex(randomBytes(32)) },
    recordDigest: `sha256:${toHex(randomBytes(32))}`,
    subjects: [subjectRef('uscc', uscc, salt)],
    issuedAt: new Date(Date.UTC(2026, 10, 26, 0, 0, i % 60)).toISOString(),
  };
}

async function appendWithProgress(ledger: Ledger, n: number, salt: Uint8Array, label: string): Promise<number> {
  const start = performance.now();
  const chunk = 1000;
  for (let done = 0; done < n; done += chunk) {
    const batch = Math.min(chunk, n - done);
    await Promise.all(Array.from({ length: batch }, (_, k) => ledger.append(sampleAttestation(done + k, salt))));
    if (process.stdout.isTTY) process.stdout.write(`\r   ${label} ${bar(done + batch, n)}`);
  }
  if (!process.stdout.isTTY) process.stdout.write(`   ${label} ${bar(n, n)}`);
  const secs = (performance.now() - start) / 1000;
  say(`  ${Math.round(n / secs).toLocaleString('en-US')} durable appends/s`);
  return n;
}

async function verifyFile(dir: string, name: string, content: object): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
  return (await verifyProofFile(file)).line.replace(`${dir}/`, '');
}

async function run(once: boolean): Promise<void> {
  const dir = resolve('data', 'demo');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const masterKey = toHex(randomBytes(32)); // demo only: production reads COURTBRIDGE_MASTER_KEY
  const salt = new Uint8Array(randomBytes(32));
  say('CourtBridge demo — the judicial ledger core (RFC 9162 log, C2SP checkpoints, SHA-256 and SM3)');
  say(`data in ${dir}`);

  step(1, 'Create two ledgers: SHA-256 and SM3 (GB/T 32905)');
  const ledger = await Ledger.init(await openSqliteStore(join(dir, 'ledger.db')), { origin: 'courtbridge.demo/ledger', hashAlg: 'sha256', masterKey });
  const sm3Ledger = await Ledger.init(await openSqliteStore(join(dir, 'ledger-sm3.db')), { origin: 'courtbridge.demo/ledger-sm3', hashAlg: 'sm3', masterKey });
  for (const k of (await ledger.head()).verifierKeys) say(`   verifier key ${k}`);

  step(2, 'Append attestations (group commit; acknowledged only once durable)');
  await appendWithProgress(ledger, 5000, salt, 'sha256');
  await appendWithProgress(sm3Ledger, 2000, salt, 'sm3   ');

  step(3, 'Sign checkpoints (root recomputed from the stored tree first)');
  const cp1 = await ledger.checkpoint();
  say(cp1.note.trimEnd().split('\n').map((l) => `   ${l}`).join('\n'));
  const sm3cp = await sm3Ledger.checkpoint();
  say(`   sm3 ledger: size ${sm3cp.treeSize}, root ${toHex(sm3cp.root)}`);

  step(4, 'Prove inclusion of a random attestation and verify it offline');
  const index = Math.floor(Math.random() * cp1.treeSize);
  const inc = await ledger.proveInclusion(index, cp1.treeSize);
  say(`   leaf ${index}: ${inc.proof.length} proof hashes`);
  say(`   ${await verifyFile(dir, 'inclusion.json', { type: 'rfc9162-inclusion', hashAlg: 'sha256', leafIndex: index, treeSize: inc.treeSize, leafHash: toHex(inc.leafHash), proof: inc.proof.map(toHex), root: toHex(inc.root) })}`);
  const forged = { type: 'rfc9162-inclusion', hashAlg: 'sha256', leafIndex: index, treeSize: inc.treeSize, leafHash: toHex(hashSuite('sha256').digest(new Uint8Array([1]))), proof: inc.proof.map(toHex), root: toHex(inc.root) };
  say(`   ${await verifyFile(dir, 'inclusion-forged.json', forged)}   (a leaf that is not in the log)`);
  const verifierKey = (await ledger.head()).verifierKeys[0]!;
  say(`   ${await verifyFile(dir, 'checkpoint.json', { type: 'checkpoint', note: cp1.note, verifierKey })}`);

  step(5, 'Grow the log and prove it only grew (consistency proof)');
  await appendWithProgress(ledger, 3000, salt, 'sha256');
  const cp2 = await ledger.checkpoint();
  const cons = await ledger.proveConsistency(cp1.treeSize, cp2.treeSize);
  say(`   ${cp1.treeSize} → ${cp2.treeSize}: ${cons.proof.length} proof hashes`);
  say(`   ${await verifyFile(dir, 'consistency.json', { type: 'rfc9162-consistency', hashAlg: 'sha256', size1: cons.size1, size2: cons.size2, root1: toHex(cons.root1), root2: toHex(cons.root2), proof: cons.proof.map(toHex) })}`);

  step(6, 'A witness cosigns the checkpoint (C2SP tlog-cosignature)');
  const witness = generateNoteKey('witness.demo-court.example', 'cosignature-ed25519');
  const body = cp2.note.slice(0, cp2.note.indexOf('\n\n') + 1);
  const line = cosignatureLine(body, parseSignerKey(witness.signerKey), Math.floor(Date.now() / 1000));
  await ledger.attachCosignature(cp2.treeSize, { verifierKey: witness.verifierKey, signature: line });
  say(`   ${line.trimEnd()}`);
  say(`   checkpoint ${parseCheckpoint(body).treeSize} now carries ${(await ledger.checkpointNote(cp2.treeSize)).split('\n— ').length - 1} signature lines`);

  step(7, 'Audit the stored ledger, then edit one stored byte and audit again');
  let report = await ledger.audit();
  say(`   audit: ${report.ok ? 'ok' : 'FAILED'} — ${report.leavesChecked} leaves, ${report.nodesChecked} nodes, ${report.checkpointsChecked} checkpoints`);
  await ledger.close();
  const raw = new Database(join(dir, 'ledger.db'));
  raw.prepare("UPDATE leaves SET data = CAST(replace(CAST(data AS TEXT), 'eip155', 'eip156') AS BLOB) WHERE idx = ?").run(42);
  raw.close();
  const reopened = await Ledger.open(await openSqliteStore(join(dir, 'ledger.db')), { masterKey });
  report = await reopened.audit();
  say(`   after editing leaf 42 directly in SQLite: ${report.ok ? 'ok (NOT DETECTED)' : 'tamper detected'}`);
  for (const f of report.findings.slice(0, 3)) say(`     ${describeFinding(f)}`);

  if (once) {
    await reopened.close();
    await sm3Ledger.close();
    say();
    say('demo complete (--once).');
    return;
  }
  step(8, 'Live: the SM3 ledger keeps appending and checkpointing — Ctrl-C to stop');
  let stopping = false;
  process.once('SIGINT', () => { stopping = true; });
  process.once('SIGTERM', () => { stopping = true; });
  let last = sm3cp;
  while (!stopping) {
    await Promise.all(Array.from({ length: 100 }, (_, k) => sm3Ledger.append(sampleAttestation(k, salt))));
    const cp = await sm3Ledger.checkpoint();
    const c = await sm3Ledger.proveConsistency(last.treeSize, cp.treeSize);
    say(`   size ${cp.treeSize}, root ${toHex(cp.root).slice(0, 16)}…, consistent with ${last.treeSize} (${c.proof.length} hashes)`);
    last = cp;
    await new Promise((r) => setTimeout(r, 2000));
  }
  await reopened.close();
  await sm3Ledger.close();
  say('stopped.');
}

run(process.argv.includes('--once')).catch((e: unknown) => {
  const err = asCourtBridgeError(e);
  process.stderr.write(`error\t${err.code}\t${err.message}\n`);
  process.exitCode = 1;
});
