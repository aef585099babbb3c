/**
 * Part 3 of the demo: records of every registered chain attested through the relay engine (relay/engine.ts):
 * fetch with proofs → verify offline against the approved trust (depth rule on the EVM nodes, the BFT light client
 * from the registered genesis) → validate against the domain schema → signed attestation → durable ledger append.
 */
import type { RecordRef } from '../../../adapters/types.js';
import type { RelayEngine } from '../../../relay/engine.js';
import type { DemoChains } from './chains.js';
import { progress, progressDone, say } from './ui.js';

/** One attested record as shown in the receipts table. */
export interface DemoReceipt {
  ref: RecordRef;
  ledgerIndex: number;
  leafHash: string;
  attestationId: string;
  blockHeight: number;
}

/** The record references the demo attests: enterprises, a dishonest-debtor listing, copyright registrations. */
export function demoRefs(c: DemoChains): RecordRef[] {
  return [
    ...c.market.usccs.map((key) => ({ chainId: c.market.chainId, recordType: 'enterprise', key })),
    ...c.credit.subjects.map((key) => ({ chainId: c.credit.chainId, recordType: 'dishonest-debtor', key })),
    ...c.copyright.registrationNumbers.map((key) => ({ chainId: c.copyright.chainId, recordType: 'copyright-registration', key })),
  ];
}

/** Attest every ref (one at a time, with a progress bar) and print the receipts. */
export async function relayPart(engine: RelayEngine, refs: readonly RecordRef[]): Promise<DemoReceipt[]> {
  const out: DemoReceipt[] = [];
  const start = performance.now();
  for (const ref of refs) {
    const r = await engine.attest(ref, { timeoutMs: 30_000 });
    out.push({ ref, ledgerIndex: r.receipt.ledgerIndex, leafHash: r.receipt.leafHash, attestationId: r.receipt.attestationId, blockHeight: r.job.blockHeight });
    progress('attested', out.length, refs.length);
  }
  progressDone('attested', refs.length, `in ${((performance.now() - start) / 1000).toFixed(1)} s (fetch → verify → validate → sign → append)`);
  for (const r of out) {
    const key = r.ref.key.length > 26 ? `${r.ref.key.slice(0, 12)}…${r.ref.key.slice(-8)}` : r.ref.key;
    say(`   receipt  ${r.ref.chainId.padEnd(17)} ${r.ref.recordType.padEnd(22)} ${key.padEnd(26)} block ${String(r.blockHeight).padStart(3)}  ledger #${r.ledgerIndex}  leaf ${r.leafHash.slice(0, 16)}…`);
  }
  return out;
}
