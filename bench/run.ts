/**
 * `npm run bench [-- NAME…]`: runs every benchmark (or those whose name starts with one of NAME), prints one line
 * per benchmark and writes bench/results.json.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { BenchSkipped, runBenchmark, type Benchmark, type BenchResult } from './harness.js';
import { BENCHMARKS } from './registry.js';

function fmt(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

async function main(argv: string[]): Promise<number> {
  const names = argv.filter((a) => !a.startsWith('-'));
  const quick = argv.includes('--quick');
  const selected: Benchmark[] = names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => names.some((n) => b.name === n || b.name.startsWith(`${n}.`) || b.name.startsWith(n)));
  if (selected.length === 0) {
    console.error(`error\tUNKNOWN_TYPE\tno benchmark matches ${names.join(' ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const opts = quick ? { rounds: 2, roundMs: 150 } : { rounds: 6, roundMs: 500 };
  const results: BenchResult[] = [];
  console.log(['name', 'ops/s', 'baseline', 'baseline ops/s', 'ratio', 'target'].join('\t'));
  for (const b of selected) {
    try {
      const r = await runBenchmark(b, opts);
      results.push(r);
      const notes = r.notes ? `\t${Object.entries(r.notes).map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`).join(' ')}` : '';
      console.log([r.name, fmt(r.opsPerSec), r.baseline, fmt(r.baselineOpsPerSec), r.ratio.toFixed(3), r.target === undefined ? 'report' : `≥ ${r.target}${r.ratio >= r.target ? ' ok' : ' BELOW'}`].join('\t') + notes);
    } catch (e) {
      console.log(`${b.name}\t${e instanceof BenchSkipped ? 'skipped' : 'failed'}\t${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${results.length} results to bench/results.json`);
  return 0;
}

main(process.argv.slice(2)).then((c) => { process.exitCode = c; }, (e) => { console.error(e); process.exitCode = 1; });
