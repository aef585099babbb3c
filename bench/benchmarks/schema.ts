/**
 * Schema benchmarks (issue 5 asks to report this, no target).
 *
 * `schema.validate`: `validateRecord` of a dishonest-debtor record (natural person: resident ID, case number) through
 * the shared registry — Ajv 2020 plus the `x-identifier` checks of src/ids (GB 11643 MOD 11-2, case-number parse) —
 * against the same Ajv validation of the same record and schema with `x-identifier` registered as an annotation
 * only (no checks). The ratio is the cost of the identifier checks and of our wrapper. Notes give the rate of
 * `redactForLedger` (validation + HMAC-SHA-256 subject refs) on the same record.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaRegistry, defaultSchemaDir, schemaRegistry } from '../../src/schema/index.js';
import type { Benchmark } from '../harness.js';

const DD = 'https://courtbridge.example/schemas/domain/credit/dishonest-debtor/v1';
const BATCH = 100;

function quickRate(f: () => unknown, ms: number): number {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    f();
    n++;
  }
  return Math.round(n / ((performance.now() - start) / 1000));
}

/** Schema benchmarks. */
export const schemaBenchmarks: Benchmark[] = [
  {
    name: 'schema.validate',
    async setup() {
      const dir = defaultSchemaDir();
      // The fixture lives beside the tests; the bench reads it from the repository (dist has no JSON copies).
      const fixture = JSON.parse(readFileSync(join(dir, '..', 'test', 'fixtures', 'domain', 'credit', 'dishonest-debtor.json'), 'utf8')) as { valid: Record<string, unknown> };
      const record = fixture.valid;
      const checked = schemaRegistry();
      const plain = new SchemaRegistry(dir, { identifierChecks: false });
      if (!checked.checkRecord(DD, record).ok || !plain.checkRecord(DD, record).ok) throw new Error('fixture does not validate');
      const salt = new Uint8Array(32).fill(9);
      return {
        subject: {
          label: 'validateRecord with x-identifier checks',
          batch: BATCH,
          run: () => {
            for (let i = 0; i < BATCH; i++) checked.validateRecord(DD, record);
          },
        },
        baseline: {
          label: 'ajv 2020 same schema, x-identifier as annotation',
          batch: BATCH,
          run: () => {
            for (let i = 0; i < BATCH; i++) plain.checkRecord(DD, record);
          },
        },
        notes: () => ({ redactForLedgerPerSec: quickRate(() => checked.redactForLedger(DD, record, salt), 300) }),
      };
    },
  },
];
