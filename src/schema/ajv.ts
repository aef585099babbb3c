/**
 * The Ajv instance behind src/schema: JSON Schema 2020-12 (`ajv/dist/2020.js`), ajv-formats, strict mode, and the
 * CourtBridge keywords:
 * - `x-identifier: "uscc" | "resident-id" | "case-number"` — the string must pass the src/ids check of that kind
 *   (GB 32100-2015, GB 11643-1999, SPC case-number rules); the failure carries the src/ids error code as `reason`.
 * - `x-personal: true` — an annotation: the field holds personal data and `redactForLedger` replaces it by a salted
 *   subject ref. It does not change validation.
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, FuncKeywordDefinition } from 'ajv';
import { isCourtBridgeError } from '../errors.js';
import { parseUscc } from '../ids/uscc.js';
import { parseResidentId } from '../ids/resident-id.js';
import { parseCaseNumber } from '../ids/case-number.js';
import { IDENTIFIER_KINDS, type IdentifierKind } from '../ids/subject.js';

// ajv and ajv-formats are CommonJS with `exports.default`; under NodeNext the default import is the module object.
type AjvCtor = typeof Ajv2020Module.default;
const Ajv2020: AjvCtor = ((Ajv2020Module as unknown as { default?: AjvCtor }).default ?? Ajv2020Module) as AjvCtor;
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as AddFormats;

/** The Ajv 2020 class type. */
export type Ajv = InstanceType<AjvCtor>;

/** Run the src/ids check of `kind` on `value`; undefined when it passes, else the error code and reason. */
export function identifierFailure(kind: IdentifierKind, value: string, field: string): { code: string; reason: string } | undefined {
  try {
    switch (kind) {
      case 'uscc':
        parseUscc(value, field);
        return undefined;
      case 'resident-id':
        parseResidentId(value, field);
        return undefined;
      case 'case-number':
        parseCaseNumber(value, field);
        return undefined;
      default: {
        const never: never = kind;
        return { code: 'INTERNAL', reason: `unknown identifier kind ${String(never)}` };
      }
    }
  } catch (e) {
    if (isCourtBridgeError(e)) return { code: e.code, reason: String(e.details.reason ?? e.code) };
    throw e;
  }
}

function identifierKeyword(): FuncKeywordDefinition {
  const validate = function xIdentifier(kind: IdentifierKind, data: unknown, _parent?: unknown, cxt?: { instancePath: string }): boolean {
    if (typeof data !== 'string') return true; // `type` reports wrong types; do not double-report
    const f = identifierFailure(kind, data, cxt?.instancePath || '/');
    if (f === undefined) return true;
    const err: Partial<ErrorObject> = { keyword: 'x-identifier', message: f.reason, params: { kind, code: f.code, reason: f.reason } };
    (validate as unknown as { errors: Partial<ErrorObject>[] }).errors = [err];
    return false;
  };
  return {
    keyword: 'x-identifier',
    schemaType: 'string',
    metaSchema: { enum: [...IDENTIFIER_KINDS] },
    errors: true,
    validate: validate as FuncKeywordDefinition['validate'],
  };
}

/** Options for `createAjv`. */
export interface CreateAjvOptions {
  /** Register `x-identifier` as a checking keyword (default true). False: annotation only (the benchmark baseline). */
  identifierChecks?: boolean;
}

/** A fresh Ajv 2020 instance with formats and the CourtBridge keywords. */
export function createAjv(opts: CreateAjvOptions = {}): Ajv {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, strictTypes: false, strictTuples: false, allErrors: true, verbose: false });
  addFormats(ajv, ['date', 'date-time', 'uri', 'email']);
  if (opts.identifierChecks === false) ajv.addKeyword({ keyword: 'x-identifier', schemaType: 'string', metaSchema: { enum: [...IDENTIFIER_KINDS] } });
  else ajv.addKeyword(identifierKeyword());
  ajv.addKeyword({ keyword: 'x-personal', schemaType: 'boolean' });
  return ajv;
}
