/**
 * `npm run demo [-- --once] [-- --port P]`: the whole CourtBridge flow on one machine (src/cli/demo/run.ts) — the
 * judicial ledger core; partner chains started locally (two anvil nodes with the market-supervision and credit
 * contracts, the BFT simulator for the copyright chain), registered by their partners' DIDs and approved 2 of 3;
 * records of each attested through the relay engine; a lawyer licence issued, presented, verified, revoked and
 * rejected; a report; then the API and the public page on the demo's SQLite store until Ctrl-C (`--once`: exit).
 * Everything lives in ./data/demo/, recreated each run.
 */
import { parseDemoArgs, runDemo } from './demo/run.js';

void runDemo(parseDemoArgs(process.argv.slice(2))).then((code) => {
  process.exitCode = code;
});
