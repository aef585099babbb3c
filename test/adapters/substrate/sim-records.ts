/** Dishonest-debtor records for the simulator: the schema's valid fixture (test/fixtures/domain) with a unique case number. */
import { readFileSync } from 'node:fs';
import type { JsonValue } from '../../../adapters/types.js';

const FIXTURE = JSON.parse(readFileSync(new URL('../../fixtures/domain/credit/dishonest-debtor.json', import.meta.url), 'utf8')) as { valid: { [k: string]: JsonValue } };

/** The n-th record: a valid 失信被执行人 entry whose case number is unique. */
export function debtor(n: number): { [k: string]: JsonValue } {
  return { ...FIXTURE.valid, caseNumber: `（2023）京0105执${20000 + n}号` };
}
