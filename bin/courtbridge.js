#!/usr/bin/env node
// Entry point for `npx courtbridge`: the TypeScript is compiled to dist/ by `npm ci` (the `prepare` script).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`error\tINTERNAL\t${err && err.message ? err.message : String(err)}`); process.exitCode = 70; },
);
