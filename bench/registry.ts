/**
 * Every benchmark, registered explicitly in one place. Each area keeps its benchmarks in bench/benchmarks/<area>.ts
 * and exports an array; add it here.
 */
import type { Benchmark } from './harness.js';
import { ledgerStoreBenchmarks } from './benchmarks/ledger-store.js';
import { ledgerProofBenchmarks } from './benchmarks/ledger-proofs.js';
import { cryptoBenchmarks } from './benchmarks/crypto.js';
import { schemaBenchmarks } from './benchmarks/schema.js';
import { proofsEvmBenchmarks } from './benchmarks/proofs-evm.js';
import { proofsSubstrateBenchmarks } from './benchmarks/proofs-substrate.js';
import { didBenchmarks } from './benchmarks/did.js';
import { adaptersBftBenchmarks } from './benchmarks/adapters-bft.js';
import { adaptersSubstrateBenchmarks } from './benchmarks/adapters-substrate.js';
import { relayBenchmarks } from './benchmarks/relay.js';
import { adaptersBenchmarks } from './benchmarks/adapters.js';
import { apiBenchmarks } from './benchmarks/api.js';
import { apiMixedBenchmarks } from './benchmarks/api-mixed.js';

/** All benchmarks in the order `npm run bench` runs them. */
export const BENCHMARKS: Benchmark[] = [
  ...ledgerStoreBenchmarks,
  ...ledgerProofBenchmarks,
  ...cryptoBenchmarks,
  ...schemaBenchmarks,
  ...proofsEvmBenchmarks,
  ...proofsSubstrateBenchmarks,
  ...didBenchmarks,
  ...adaptersBftBenchmarks,
  ...adaptersSubstrateBenchmarks,
  ...relayBenchmarks,
  ...adaptersBenchmarks,
  ...apiBenchmarks,
  ...apiMixedBenchmarks,
];

const seen = new Set<string>();
for (const b of BENCHMARKS) {
  if (seen.has(b.name)) throw new Error(`duplicate benchmark name ${b.name}`);
  seen.add(b.name);
}
