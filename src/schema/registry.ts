/**
 * The schema registry: every JSON Schema under `schemas/` (domain records now; registrations, credentials and others
 * as they are added) loaded into ONE Ajv 2020 instance and compiled once. Records are validated by schema `$id`.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { fail, isCourtBridgeError } from '../errors.js';
import { createAjv, type Ajv, type CreateAjvOptions } from './ajv.js';
import { taggedFields, type TaggedField } from './tagged-fields.js';
import { redactValidated, type RedactedRecord } from './redact.js';
import type { SubjectAlg } from '../ids/subject.js';

/** One reason a record fails its schema. */
export interface SchemaFailure {
  /** JSON pointer of the offending value (for `required` / `additionalProperties`: of the missing / extra property). */
  readonly pointer: string;
  /** The JSON Schema keyword that failed (`type`, `required`, `maxLength`, `x-identifier`, …). */
  readonly keyword: string;
  /** For `x-identifier`: the src/ids error code (USCC_INVALID, RESIDENT_ID_INVALID, CASE_NUMBER_INVALID). */
  readonly code?: string;
}

/** A record that passed its schema. */
export interface ValidRecord<T> {
  readonly schemaId: string;
  readonly record: T;
}

/** Most failures reported for one record (the rest are counted, not listed). */
export const MAX_FAILURES = 20;
const MAX_SCHEMA_FILES = 1000;

/** Find the repository's `schemas/` folder from this module (works from src/ and from dist/src/). */
export function defaultSchemaDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return join(dir, 'schemas');
    dir = dirname(dir);
  }
  return fail('CONFIG_INVALID', { field: 'schemas', reason: 'cannot find the schemas/ folder' });
}

function listJson(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) listJson(p, out);
    else if (name.endsWith('.json')) out.push(p);
    if (out.length > MAX_SCHEMA_FILES) fail('TOO_LARGE', { field: 'schemas', limit: MAX_SCHEMA_FILES });
  }
  return out;
}

function toFailure(e: ErrorObject): SchemaFailure {
  const p = e.params as Record<string, unknown>;
  const child = e.keyword === 'required' ? p.missingProperty : e.keyword === 'additionalProperties' ? p.additionalProperty : undefined;
  const pointer = typeof child === 'string' ? `${e.instancePath}/${child.replace(/~/g, '~0').replace(/\//g, '~1')}` : e.instancePath;
  return typeof p.code === 'string' ? { pointer, keyword: e.keyword, code: p.code } : { pointer, keyword: e.keyword };
}

/** Schemas compiled into one Ajv instance, with their tagged fields. */
export class SchemaRegistry {
  readonly #ajv: Ajv;
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #schemas = new Map<string, Record<string, unknown>>();
  readonly #tagged = new Map<string, TaggedField[]>();

  /** Load and compile every `*.json` schema under `dir` (each must have an absolute `$id`). */
  constructor(dir: string = defaultSchemaDir(), opts: CreateAjvOptions = {}) {
    this.#ajv = createAjv(opts);
    for (const file of listJson(dir)) {
      let schema: unknown;
      try {
        schema = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        fail('CONFIG_INVALID', { field: 'schemas', reason: `${file} is not JSON` }, e);
      }
      const id = (schema as { $id?: unknown } | null)?.$id;
      if (typeof id !== 'string' || !/^https?:\/\//.test(id)) fail('CONFIG_INVALID', { field: 'schemas', reason: `${file} has no absolute $id` });
      if (this.#schemas.has(id)) fail('CONFIG_INVALID', { field: 'schemas', reason: `duplicate $id ${id}` });
      this.#schemas.set(id, schema as Record<string, unknown>);
    }
    try {
      for (const [, schema] of this.#schemas) this.#ajv.addSchema(schema);
      for (const id of this.#schemas.keys()) this.#validators.set(id, this.#ajv.getSchema(id) as ValidateFunction);
    } catch (e) {
      fail('CONFIG_INVALID', { field: 'schemas', reason: e instanceof Error ? e.message : String(e) }, e);
    }
    for (const id of this.#schemas.keys()) this.#tagged.set(id, taggedFields(id, this.#schemas));
  }

  /** The `$id`s of every loaded schema, sorted. */
  schemaIds(): string[] {
    return [...this.#schemas.keys()].sort();
  }

  #validator(schemaId: unknown): ValidateFunction {
    const v = typeof schemaId === 'string' ? this.#validators.get(schemaId) : undefined;
    return v ?? fail('SCHEMA_UNKNOWN', { schemaId: String(schemaId).slice(0, 200) });
  }

  /** Check `record` and list its failures (at most MAX_FAILURES; `total` counts all). SCHEMA_UNKNOWN for unknown ids. */
  checkRecord(schemaId: string, record: unknown): { ok: true } | { ok: false; failures: SchemaFailure[]; total: number } {
    const validate = this.#validator(schemaId);
    let ok: boolean;
    try {
      ok = validate(record) as boolean;
    } catch (e) {
      // Ajv itself throws only on exhausted stacks or hostile objects (getters, proxies): report, never crash.
      if (isCourtBridgeError(e)) throw e;
      return { ok: false, failures: [{ pointer: '', keyword: 'unreadable' }], total: 1 };
    }
    if (ok) return { ok: true };
    const errors = validate.errors ?? [];
    return { ok: false, failures: errors.slice(0, MAX_FAILURES).map(toFailure), total: errors.length };
  }

  /** Validate `record` against `schemaId`: the typed record, or SCHEMA_INVALID listing `pointer keyword` failures. */
  validateRecord<T = Record<string, unknown>>(schemaId: string, record: unknown): ValidRecord<T> {
    const r = this.checkRecord(schemaId, record);
    if (!r.ok) {
      const list = r.failures.map((f) => `${f.pointer || '/'} ${f.keyword}${f.code ? ` (${f.code})` : ''}`).join('; ');
      fail('SCHEMA_INVALID', { schemaId, count: r.total, failures: r.total > r.failures.length ? `${list}; …` : list });
    }
    return { schemaId, record: record as T };
  }

  /** JSON pointer templates (`*` = every array element) of the personal fields of `schemaId`. */
  personalFields(schemaId: string): string[] {
    this.#validator(schemaId);
    return (this.#tagged.get(schemaId) ?? []).filter((f) => f.personal).map((f) => f.pointer);
  }

  /** Every field tagged `x-identifier` or `x-personal` in `schemaId`. */
  taggedFields(schemaId: string): readonly TaggedField[] {
    this.#validator(schemaId);
    return this.#tagged.get(schemaId) ?? [];
  }

  /**
   * Validate, then replace personal fields by salted subject refs; returns the redacted record and the subjects
   * (every identifier and personal field, for the attestation's `subjects`).
   */
  redactForLedger<T = Record<string, unknown>>(schemaId: string, record: unknown, salt: Uint8Array, alg: SubjectAlg = 'hmac-sha256'): RedactedRecord<T> {
    const { record: valid } = this.validateRecord<T>(schemaId, record);
    return redactValidated(valid, this.taggedFields(schemaId), salt, alg);
  }
}

let shared: SchemaRegistry | undefined;

/** The process-wide registry of the repository's `schemas/`, built (and compiled) on first use. */
export function schemaRegistry(): SchemaRegistry {
  shared ??= new SchemaRegistry();
  return shared;
}
