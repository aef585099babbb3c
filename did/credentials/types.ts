/**
 * The credential types of the lawyer check (SPC opinion 法发〔2022〕16号 §十八: lawyers' qualifications and credit
 * reports verified online): names, schema ids and how to read the jurisdiction an issuer must be accredited for.
 * Schemas live in `schemas/credentials/` (JSON Schema 2020-12) and are compiled once, on first use.
 */
import { join } from 'node:path';
import { fail } from '../../src/errors.js';
import { SchemaRegistry, defaultSchemaDir } from '../../src/schema/registry.js';

/** The credential types the hub knows. */
export type CredentialType = 'LawyerLicenseCredential' | 'LawyerCreditReportCredential';

/** JSON Schema `$id` per credential type (also the `credentialSchema.id` a credential carries). */
export const CREDENTIAL_SCHEMAS: Readonly<Record<CredentialType, string>> = Object.freeze({
  LawyerLicenseCredential: 'https://courtbridge.example/schemas/credentials/lawyer-license/v1',
  LawyerCreditReportCredential: 'https://courtbridge.example/schemas/credentials/lawyer-credit-report/v1',
});

/** W3C VC Data Model v1.1 base context. */
export const VC_CONTEXT_V1 = 'https://www.w3.org/2018/credentials/v1';

/** Parse a credential type name; UNKNOWN_TYPE otherwise. */
export function parseCredentialType(value: unknown): CredentialType {
  if (typeof value === 'string' && Object.hasOwn(CREDENTIAL_SCHEMAS, value)) return value as CredentialType;
  return fail('UNKNOWN_TYPE', { type: String(value).slice(0, 64) });
}

let registry: SchemaRegistry | undefined;

/** The compiled credential schemas (only `schemas/credentials/`, so other areas' schemas cannot break this one). */
export function credentialSchemas(): SchemaRegistry {
  registry ??= new SchemaRegistry(join(defaultSchemaDir(), 'credentials'));
  return registry;
}

/** Check a `vc` claim against its type's schema: undefined when valid, else a short failure list. */
export function schemaFailure(type: CredentialType, vc: unknown): string | undefined {
  const r = credentialSchemas().checkRecord(CREDENTIAL_SCHEMAS[type], vc);
  if (r.ok) return undefined;
  return r.failures.map((f) => `${f.pointer || '/'} ${f.keyword}${f.code ? ` (${f.code})` : ''}`).join('; ').slice(0, 500);
}
