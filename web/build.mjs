// Build the public verification page: bundle web/src/main.ts (with sm-crypto-v2 for SM3/SM2) into web/dist/app.js
// with esbuild and copy web/static/* beside it. `npm run build:web`; `npm run build` runs it too.
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
cpSync(join(here, 'static'), out, { recursive: true });
