/**
 * Record validation against the JSON Schemas of `schemas/` (2020-12, one Ajv instance) and redaction of personal
 * fields for the ledger. The functions use the process-wide registry; build a `SchemaRegistry` for another folder.
 */
import { schemaRegistry, type SchemaFailure, type ValidRecord } from './registry.js';
import type { RedactedRecord } from './redact.js';
import type { SubjectAlg } from '../ids/subject.js';

export { SchemaRegistry, schemaRegistry, defaultSchemaDir, MAX_FAILURES, type SchemaFailure, type ValidRecord } from './registry.js';
export { type SubjectEntry, type RedactedRecord } from './redact.js';
export { type TaggedField } from './tagged-fields.js';
export { createAjv, identifierFailure, type CreateAjvOptions } from './ajv.js';

/** Validate `record` against the schema `schemaId`: typed record, SCHEMA_INVALID (pointer + keyword per failure) or SCHEMA_UNKNOWN. */
export function validateRecord<T = Record<string, unknown>>(schemaId: string, record: unknown): ValidRecord<T> {
  return schemaRegistry().validateRecord<T>(schemaId, record);
}

/** Like `validateRecord` but returns the failures instead of throwing. */
export function checkRecord(schemaId: string, record: unknown): { ok: true } | { ok: false; failures: SchemaFailure[]; total: number } {
  return schemaRegistry().checkRecord(schemaId, record);
}

/** JSON pointer templates (`*` = every array element) of the personal fields of `schemaId`. */
export function personalFields(schemaId: string): string[] {
  return schemaRegistry().personalFields(schemaId);
}

/** Validate and replace personal fields by salted subject refs; returns the record and the subject refs. */
export function redactForLedger<T = Record<string, unknown>>(schemaId: string, record: unknown, salt: Uint8Array, alg: SubjectAlg = 'hmac-sha256'): RedactedRecord<T> {
  return schemaRegistry().redactForLedger<T>(schemaId, record, salt, alg);
}
