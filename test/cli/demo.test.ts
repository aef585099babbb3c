import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const demo = resolve('dist/src/cli/demo.js');

describe('npm run demo -- --once', () => {
  it.skipIf(!existsSync(demo))('runs the whole demo and shows valid proofs, an invalid forged one and a detected tamper (needs `npm run build`)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cb-demo-'));
    try {
      const { stdout } = await run(process.execPath, [demo, '--once'], { cwd, timeout: 120_000 });
      expect(stdout).toMatch(/inclusion\.json\tvalid/);
      expect(stdout).toMatch(/inclusion-forged\.json\tinvalid\tINCLUSION_PROOF_INVALID/);
      expect(stdout).toMatch(/checkpoint\.json\tvalid/);
      expect(stdout).toMatch(/consistency\.json\tvalid/);
      expect(stdout).toMatch(/audit: ok/);
      expect(stdout).toMatch(/tamper detected/);
      expect(stdout).toMatch(/leaf 42: /);
      expect(stdout).toMatch(/demo complete/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
