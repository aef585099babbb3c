/**
 * Crash-test workload (spawned from dist/ by test/reliability/crash.test.ts, killed with SIGKILL at random moments):
 * one process doing MIXED work on one database, wired exactly as production wires it — the ledger, relay store and
 * engine from `openRelayFromEnv` (the `courtbridge relay run` path; chains from COURTBRIDGE_RELAY_CHAINS: anvil +
 * the evm adapter), and the DID registries replayed from that ledger as `courtbridge api` does (LedgerRegistries with
 * a background refresh). Four lanes run concurrently until the kill:
 *   append     keyed ledger appends, in batches        → `ack\tappend\t<key>\t<index>`
 *   job/done   relay jobs: enqueue, then wait for done  → `ack\tjob\t<k>\t<jobId>` then `ack\tdone\t<jobId>\t<attId>\t<index>`
 *   status     revocations; suspensions set then clear → `ack\tstatus\t<purpose>\t<statusIndex>\t<0|1>\t<index>`
 *   accredit   issuer accreditations, then revocations → `ack\taccredit\t<issuer>\t<index>`, `ack\trevoke\t<issuer>`
 * plus `checkpoint\t<size>\t<root hex>` now and then. A line is written only after the operation's promise resolved
 * (durable); stdout to a pipe is synchronous on Linux, so a printed line reached the parent before any later kill.
 * argv[2]: JSON `{ run, chainId, records, base, top, jobBase }` (relay job k is record `k mod records` at height
 * `base + ⌊k / records⌋`, while that height is ≤ `top`).
 */
import { toHex } from '../../../src/crypto/bytes.js';
import { openRelayFromEnv } from '../../../relay/setup.js';
import { LedgerRegistries } from '../../../did/ledger-registries.js';
import type { BitstringStatusListEntry, StatusPurpose } from '../../../did/status-list.js';
import { WORKLOAD_ROOT, WORKLOAD_STATUS_BASE } from './constants.js';
import { orgCodeCheckChar, usccCheckChar } from '../../../src/ids/uscc.js';

/** Relay jobs one run creates at most (the job numbers of run r start at the parent's `jobBase`). */
const MAX_JOBS_PER_RUN = 64;

interface WorkerArgs { run: number; chainId: string; records: number; base: number; top: number; jobBase: number }

/** USCC number `i`, as test/relay/helpers.ts `uscc` (not imported: that module loads solc and the anvil helpers). */
function uscc(i: number): string {
  const body8 = `M${String(i).padStart(7, '0')}`;
  const first17 = `91350100${body8}${orgCodeCheckChar(body8)}`;
  return first17 + usccCheckChar(first17);
}

const out = (line: string): void => { process.stdout.write(`${line}\n`); };
/** A short pause between a lane's operations: hot loops would starve the relay's RPC round trips (not a real load). */
const pause = (): Promise<void> => new Promise((r) => setTimeout(r, Math.random() * 8));

async function run(): Promise<void> {
  const a = JSON.parse(process.argv[2]!) as WorkerArgs;
  const relay = await openRelayFromEnv(process.env, () => undefined);
  const { engine, ledger } = relay;
  await engine.start();
  const registries = new LedgerRegistries(ledger, [WORKLOAD_ROOT], WORKLOAD_STATUS_BASE);
  await registries.start(25); // the API refreshes every 2 s; often here, so replays interleave with the writes
  const lists: Record<StatusPurpose, string> = {
    revocation: registries.status.ensureList('revocation', 'revocation'),
    suspension: registries.status.ensureList('suspension', 'suspension'),
  };
  out('ready');
  let ops = 0;
  const tick = async (): Promise<void> => {
    if (++ops % 24 === 0) {
      const cp = await ledger.checkpoint();
      out(`checkpoint\t${cp.treeSize}\t${toHex(cp.root)}`);
    }
  };

  const appends = async (): Promise<void> => {
    for (let seq = 0; ; ) {
      const n = 1 + Math.floor(Math.random() * 16);
      const batch = Array.from({ length: n }, () => seq++);
      const receipts = await Promise.all(batch.map((s) => {
        const key = `reliability/${a.run}/${s}`;
        return ledger.append({ kind: 'reliability.append', run: a.run, seq: s }, { key }).then((r) => ({ key, r }));
      }));
      out(receipts.map(({ key, r }) => `ack\tappend\t${key}\t${r.index}`).join('\n'));
      await tick();
      await pause();
    }
  };

  const jobs = async (): Promise<void> => {
    const waiting = new Set<Promise<void>>();
    for (let k = a.jobBase; k < a.jobBase + MAX_JOBS_PER_RUN; k++) {
      const height = a.base + Math.floor(k / a.records);
      if (height > a.top) break;
      const job = await engine.enqueue({ chainId: a.chainId, recordType: 'enterprise', key: uscc(k % a.records) }, height);
      out(`ack\tjob\t${k}\t${job.id}`);
      const w = engine.waitFor(job.id, 600_000).then((r) => out(`ack\tdone\t${job.id}\t${r.receipt.attestationId}\t${r.receipt.ledgerIndex}`));
      waiting.add(w);
      void w.finally(() => waiting.delete(w));
      if (waiting.size >= 4) await Promise.race(waiting);
      await tick();
    }
    await Promise.all(waiting);
  };

  const statuses = async (): Promise<void> => {
    for (let seq = 0; ; seq++) {
      const index = a.run * 1000 + seq;
      const purpose: StatusPurpose = seq % 2 === 0 ? 'revocation' : 'suspension';
      const entry: BitstringStatusListEntry = {
        id: `${lists[purpose]}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: purpose,
        statusListIndex: String(index), statusListCredential: lists[purpose],
      };
      const set = await registries.status.setStatus(entry, true, WORKLOAD_ROOT, 'reliability');
      out(`ack\tstatus\t${purpose}\t${index}\t1\t${set.index}`);
      if (purpose === 'suspension') {
        const clear = await registries.status.setStatus(entry, false, WORKLOAD_ROOT, 'reinstated');
        out(`ack\tstatus\t${purpose}\t${index}\t0\t${clear.index}`);
      }
      await tick();
      await pause();
    }
  };

  const accreditations = async (): Promise<void> => {
    for (let seq = 0; ; seq++) {
      const issuer = `did:example:reliability-${a.run}-${seq}`;
      const acc = await registries.issuers.accredit({
        issuer, credentialTypes: ['LawyerLicence'], jurisdiction: '350000', validFrom: 0, validUntil: 4_102_444_800, delegatedBy: WORKLOAD_ROOT,
      });
      out(`ack\taccredit\t${issuer}\t${acc.ledgerIndex}`);
      if (seq % 2 === 0) {
        await registries.issuers.revoke(acc.id, WORKLOAD_ROOT);
        out(`ack\trevoke\t${issuer}`);
      }
      await tick();
      await pause();
    }
  };

  await Promise.all([appends(), jobs(), statuses(), accreditations()]);
}

run().catch((e: unknown) => {
  process.stderr.write(`mixed-worker failed: ${String((e as Error)?.stack ?? e)}\n`);
  process.exit(3);
});
