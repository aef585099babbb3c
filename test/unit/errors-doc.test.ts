import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ERRORS } from '../../src/errors.js';
import { errorsMarkdown } from '../../src/cli/commands/errors.js';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';

describe('docs/errors.md', () => {
  it('lists exactly the codes of the error table (regenerate: npx courtbridge errors --markdown > docs/errors.md)', () => {
    const doc = readFileSync('docs/errors.md', 'utf8');
    expect(doc).toBe(errorsMarkdown());
    const documented = [...doc.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ERRORS).sort());
  });

  it('`courtbridge errors` prints one line per code', async () => {
    const io = memoryIo();
    expect(await main(['errors'], io)).toBe(0);
    expect(io.stdout).toHaveLength(Object.keys(ERRORS).length);
    expect(io.stdout[0]).toMatch(/^[A-Z_]+\t\d{3}\t\w+\t/);
  });
});
