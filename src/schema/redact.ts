/**
 * Redaction for the ledger (DESIGN principle 4): every personal field of a validated record is replaced by its salted
 * subject ref (src/ids/subject.ts), and every identifier or personal field yields a subject entry for the
 * attestation's `subjects` — so a court can later find attestations by USCC, resident ID or case number by computing
 * the same ref, while the ledger holds no personal identifier in the clear.
 */
import { subjectRefNormalized, normalizeSubject, type SubjectAlg, type SubjectKind } from '../ids/subject.js';
import type { TaggedField } from './tagged-fields.js';
import { escapePointerSegment } from './tagged-fields.js';

/** One subject of a record: where it was, what kind, and its salted ref. */
export interface SubjectEntry {
  /** Concrete JSON pointer of the field in the record. */
  readonly pointer: string;
  readonly kind: SubjectKind;
  readonly ref: string;
  /** True when the field was personal and has been replaced by `ref` in the redacted record. */
  readonly personal: boolean;
}

/** Result of `redactForLedger`. */
export interface RedactedRecord<T = Record<string, unknown>> {
  /** The record with personal fields replaced by their refs (it no longer validates against its schema). */
  readonly record: T;
  readonly subjects: SubjectEntry[];
}

type Container = Record<string, unknown> | unknown[];

/** Concrete (container, key, pointer) triples matched by a pointer template in `doc`. */
function expand(doc: unknown, template: string): Array<{ parent: Container; key: string | number; pointer: string }> {
  const segs = template === '' ? [] : template.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let frontier: Array<{ value: unknown; parent?: Container; key?: string | number; pointer: string }> = [{ value: doc, pointer: '' }];
  for (const seg of segs) {
    const next: typeof frontier = [];
    for (const f of frontier) {
      if (seg === '*') {
        if (!Array.isArray(f.value)) continue;
        f.value.forEach((v, i) => next.push({ value: v, parent: f.value as unknown[], key: i, pointer: `${f.pointer}/${i}` }));
      } else if (f.value !== null && typeof f.value === 'object' && !Array.isArray(f.value) && Object.hasOwn(f.value, seg)) {
        const obj = f.value as Record<string, unknown>;
        next.push({ value: obj[seg], parent: obj, key: seg, pointer: `${f.pointer}/${escapePointerSegment(seg)}` });
      }
    }
    frontier = next;
  }
  return frontier.filter((f) => f.parent !== undefined).map((f) => ({ parent: f.parent as Container, key: f.key as string | number, pointer: f.pointer }));
}

/**
 * Replace personal fields of `record` (already validated; it is deep-copied, the input is not touched) and list every
 * subject. `fields` come from `taggedFields`.
 */
export function redactValidated<T>(record: T, fields: readonly TaggedField[], salt: Uint8Array, alg: SubjectAlg): RedactedRecord<T> {
  // A validated record is a finite JSON tree (additionalProperties: false everywhere, no recursive schemas).
  const copy = JSON.parse(JSON.stringify(record)) as T;
  const subjects: SubjectEntry[] = [];
  for (const f of fields) {
    const kind: SubjectKind = f.identifier ?? 'text';
    for (const hit of expand(copy, f.pointer)) {
      const value = (hit.parent as Record<string | number, unknown>)[hit.key];
      if (typeof value !== 'string') continue;
      const ref = subjectRefNormalized(kind, normalizeSubject(kind, value, hit.pointer), salt, alg);
      if (f.personal) (hit.parent as Record<string | number, unknown>)[hit.key] = ref;
      subjects.push({ pointer: hit.pointer, kind, ref, personal: f.personal });
    }
  }
  return { record: copy, subjects };
}
