/**
 * Part 1 of the demo: the judicial ledger core on its own. A SHA-256 ledger and an SM3 one (GB/T 32905) take
 * attestations with group commit, sign checkpoints (Ed25519 + SM2 signed notes), prove inclusion and consistency
 * (verified offline through the code `courtbridge proof verify` runs), take a witness cosignature, pass an audit, and
 * catch one byte edited directly in SQLite.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Ledger } from '../../ledger/ledger.js';
import { openSqliteStore } from '../../ledger/store/sqlite.js';
import { describeFinding } from '../../ledger/audit.js';
import { cosignatureLine, parseCheckpoint } from '../../ledger/checkpoint.js';
import { generateNoteKey, parseSignerKey } from '../../ledger/note-keys.js';
import { hashSuite } from '../../crypto/hash.js';
import { toHex } from '../../crypto/bytes.js';
import { subjectRef } from '../../ids/subject.js';
import { verifyProofFile } from '../commands/proof.js';
import { progress, progressDone, say } from './ui.js';

/** What part 1 found, for the final report. */
export interface LedgerPartResult {
  appended: number;
  /** Proof files verified valid. */
  proofsValid: number;
  /** Proof files checked, the forged one included. */
  proofsChecked: number;
  /** Proof files whose outcome was the expected one (valid, or invalid for the forged leaf). */
  proofsAsExpected: number;
  tamperDetected: boolean;
}

/** A sample attestation of the shape the relay writes: personal identifiers only as salted references. */
function sampleAttestation(i: number, salt: Uint8Array): object {
  return {
    v: 1,
    kind: 'demo-attestation',
    chain: i % 2 === 0 ? 'eip155:31337' : 'bft:copyright-sim',
    recordType: i % 2 === 0 ? 'market/enterprise-basic-info' : 'ip/copyright-registration',
    block: { height: 1000 + i, hash: toHex(randomBytes(32)) },
    recordDigest: `sha256:${toHex(randomBytes(32))}`,
    subjects: [subjectRef('uscc', '91350100M000100Y43', salt)], // GB 32100 example code
    issuedAt: new Date(Date.UTC(2026, 10, 26, 0, 0, i % 60)).toISOString(),
  };
}

async function appendWithProgress(ledger: Ledger, n: number, salt: Uint8Array, label: string): Promise<void> {
  const start = performance.now();
  const chunk = 500;
  for (let done = 0; done < n; done += chunk) {
    const batch = Math.min(chunk, n - done);
    await Promise.all(Array.from({ length: batch }, (_, k) => ledger.append(sampleAttestation(done + k, salt))));
    progress(label, done + batch, n);
  }
  const secs = (performance.now() - start) / 1000;
  progressDone(label, n, `${Math.round(n / secs).toLocaleString('en-US')} durable appends/s`);
}

/** Run part 1 in `dir` (files ledger.db, ledger-sm3.db and the proof files). */
export async function ledgerPart(dir: string, masterKey: string): Promise<LedgerPartResult> {
  const salt = new Uint8Array(randomBytes(32));
  let proofsValid = 0;
  let proofsChecked = 0;
  let proofsAsExpected = 0;
  const verifyFile = async (name: string, content: object, expect: 'valid' | 'invalid' = 'valid'): Promise<string> => {
    const file = join(dir, name);
    writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
    const line = (await verifyProofFile(file)).line.replace(`${dir}/`, '');
    proofsChecked++;
    const outcome = line.split('\t')[1];
    if (outcome === 'valid') proofsValid++;
    if (outcome === expect) proofsAsExpected++;
    return line;
  };

  const ledger = await Ledger.init(await openSqliteStore(join(dir, 'ledger.db')), { origin: 'courtbridge.demo/ledger', hashAlg: 'sha256', masterKey });
  const sm3Ledger = await Ledger.init(await openSqliteStore(join(dir, 'ledger-sm3.db')), { origin: 'courtbridge.demo/ledger-sm3', hashAlg: 'sm3', masterKey });
  try {
    say('   two ledgers: SHA-256 (Ed25519-signed checkpoints) and SM3 (GB/T 32905; SM2-signed too)');
    await appendWithProgress(ledger, 2000, salt, 'sha256');
    await appendWithProgress(sm3Ledger, 1000, salt, 'sm3   ');

    const cp1 = await ledger.checkpoint();
    say(cp1.note.trimEnd().split('\n').map((l) => `   ${l}`).join('\n'));
    const sm3cp = await sm3Ledger.checkpoint();
    say(`   sm3 ledger: size ${sm3cp.treeSize}, root ${toHex(sm3cp.root)}`);

    const index = Math.floor(Math.random() * cp1.treeSize);
    const inc = await ledger.proveInclusion(index, cp1.treeSize);
    say(`   leaf ${index}: ${inc.proof.length} proof hashes`);
    const incFile = { type: 'rfc9162-inclusion', hashAlg: 'sha256', leafIndex: index, treeSize: inc.treeSize, leafHash: toHex(inc.leafHash), proof: inc.proof.map(toHex), root: toHex(inc.root) };
    say(`   ${await verifyFile('inclusion.json', incFile)}`);
    const forged = { ...incFile, leafHash: toHex(hashSuite('sha256').digest(new Uint8Array([1]))) };
    say(`   ${await verifyFile('inclusion-forged.json', forged, 'invalid')}   (a leaf that is not in the log)`);
    const verifierKey = (await ledger.head()).verifierKeys[0]!;
    say(`   ${await verifyFile('checkpoint.json', { type: 'checkpoint', note: cp1.note, verifierKey })}`);

    await appendWithProgress(ledger, 1000, salt, 'sha256');
    const cp2 = await ledger.checkpoint();
    const cons = await ledger.proveConsistency(cp1.treeSize, cp2.treeSize);
    say(`   ${cp1.treeSize} → ${cp2.treeSize}: ${cons.proof.length} proof hashes (the log only grew)`);
    say(`   ${await verifyFile('consistency.json', { type: 'rfc9162-consistency', hashAlg: 'sha256', size1: cons.size1, size2: cons.size2, root1: toHex(cons.root1), root2: toHex(cons.root2), proof: cons.proof.map(toHex) })}`);

    const witness = generateNoteKey('witness.demo-court.example', 'cosignature-ed25519');
    const body = cp2.note.slice(0, cp2.note.indexOf('\n\n') + 1);
    const line = cosignatureLine(body, parseSignerKey(witness.signerKey), Math.floor(Date.now() / 1000));
    await ledger.attachCosignature(cp2.treeSize, { verifierKey: witness.verifierKey, signature: line });
    say(`   witness cosignature (C2SP tlog-cosignature): ${line.trimEnd()}`);
    say(`   checkpoint ${parseCheckpoint(body).treeSize} now carries ${(await ledger.checkpointNote(cp2.treeSize)).split('\n— ').length - 1} signature lines`);

    const report = await ledger.audit();
    say(`   audit: ${report.ok ? 'ok' : 'FAILED'} — ${report.leavesChecked} leaves, ${report.nodesChecked} nodes, ${report.checkpointsChecked} checkpoints`);
  } finally {
    await ledger.close();
    await sm3Ledger.close();
  }
  const raw = new Database(join(dir, 'ledger.db'));
  raw.prepare("UPDATE leaves SET data = CAST(replace(CAST(data AS TEXT), 'eip155', 'eip156') AS BLOB) WHERE idx = ?").run(42);
  raw.close();
  const reopened = await Ledger.open(await openSqliteStore(join(dir, 'ledger.db')), { masterKey });
  try {
    const report = await reopened.audit();
    say(`   after editing leaf 42 directly in SQLite: ${report.ok ? 'ok (NOT DETECTED)' : 'tamper detected'}`);
    for (const f of report.findings.slice(0, 2)) say(`     ${describeFinding(f)}`);
    return { appended: 4000, proofsValid, proofsChecked, proofsAsExpected, tamperDetected: !report.ok };
  } finally {
    await reopened.close();
  }
}
