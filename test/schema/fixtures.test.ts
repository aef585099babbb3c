import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemaRegistry } from '../../src/schema/index.js';

/** test/fixtures/domain/<area>/<name>.json: one valid record and invalid variants made by set/remove mutations. */
interface Mutation { op: 'set' | 'remove'; pointer: string; value?: unknown }
interface Fixture {
  schemaId: string;
  valid: Record<string, unknown>;
  invalid: Array<{ name: string; mutations: Mutation[]; expect: { pointer: string; keyword: string } }>;
}

const DIR = fileURLToPath(new URL('../fixtures/domain/', import.meta.url));
const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.json') ? [join(dir, n)] : []));

function apply(record: unknown, m: Mutation): unknown {
  const copy = structuredClone(record) as Record<string, unknown>;
  const segs = m.pointer.split('/').slice(1);
  const last = segs.pop() as string;
  let node: Record<string, unknown> = copy;
  for (const s of segs) node = node[s] as Record<string, unknown>;
  if (m.op === 'remove') delete node[last];
  else node[last] = m.value;
  return copy;
}

const fixtures = files(DIR).map((f) => ({ file: f.slice(DIR.length), ...(JSON.parse(readFileSync(f, 'utf8')) as Fixture) }));

describe('domain fixtures', () => {
  it('cover every domain schema (except the shared definitions)', () => {
    const ids = schemaRegistry().schemaIds().filter((id) => id.includes('/schemas/domain/') && !id.includes('/common/'));
    expect(fixtures.map((f) => f.schemaId).sort()).toEqual(ids);
    expect(ids.length).toBe(15);
  });

  for (const fx of fixtures) {
    describe(fx.file, () => {
      it('the valid record validates', () => {
        const r = schemaRegistry().checkRecord(fx.schemaId, fx.valid);
        expect(r).toEqual({ ok: true });
        expect(schemaRegistry().validateRecord(fx.schemaId, fx.valid).record).toBe(fx.valid);
      });
      it.each(fx.invalid.map((c) => [c.name, c] as const))('rejects: %s', (_name, c) => {
        const rec = c.mutations.reduce<unknown>(apply, fx.valid);
        const r = schemaRegistry().checkRecord(fx.schemaId, rec);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.failures.map((f) => ({ pointer: f.pointer, keyword: f.keyword }))).toContainEqual(c.expect);
        let code = 'OK';
        try {
          schemaRegistry().validateRecord(fx.schemaId, rec);
        } catch (e) {
          code = (e as { code: string }).code;
        }
        expect(code).toBe('SCHEMA_INVALID');
      });
    });
  }
});
