/**
 * Static analysis of a schema for the fields tagged `x-identifier` / `x-personal`: the JSON pointers (RFC 6901) of
 * every such field, with `*` standing for "every element" of an array. The walk follows `$ref` (inside and across the
 * loaded schemas), `properties`, `items`, `prefixItems` and the applicators `allOf` / `anyOf` / `oneOf` / `if` /
 * `then` / `else` / `dependentSchemas`, taking the UNION of all branches: a field tagged personal in any branch is
 * redacted whatever branch matched, which errs on the side of privacy. `not` describes no data and is skipped.
 */
import { fail } from '../errors.js';
import type { IdentifierKind } from '../ids/subject.js';

/** A tagged field of a schema. */
export interface TaggedField {
  /** JSON pointer template; `*` segments stand for every array element. */
  readonly pointer: string;
  /** The identifier check, when the field has one. */
  readonly identifier?: IdentifierKind;
  /** True when the field holds personal data (`x-personal: true`). */
  readonly personal: boolean;
}

type Json = Record<string, unknown>;
const MAX_DEPTH = 64;
const APPLICATORS_ARRAY = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;
const APPLICATORS_ONE = ['if', 'then', 'else'] as const;

/** Escape one pointer segment (RFC 6901 §3). */
export function escapePointerSegment(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Resolve `ref` against `baseId` and return the target node and its schema id. */
function resolveRef(ref: string, baseId: string, schemas: ReadonlyMap<string, Json>): { node: Json; baseId: string } {
  const url = new URL(ref, baseId);
  const fragment = decodeURIComponent(url.hash.replace(/^#/, ''));
  url.hash = '';
  const id = url.toString();
  let node: unknown = schemas.get(id);
  if (node === undefined) return fail('CONFIG_INVALID', { field: 'schemas', reason: `unresolvable $ref ${ref} in ${baseId}` });
  if (fragment !== '') {
    for (const seg of fragment.split('/').slice(1)) {
      const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
      node = node !== null && typeof node === 'object' ? (node as Json)[key] : undefined;
    }
  }
  if (node === null || typeof node !== 'object') return fail('CONFIG_INVALID', { field: 'schemas', reason: `$ref ${ref} does not point at a schema` });
  return { node: node as Json, baseId: id };
}

/** Every tagged field of the schema `rootId`, in document order, one entry per pointer (tags of all branches merged). */
export function taggedFields(rootId: string, schemas: ReadonlyMap<string, Json>): TaggedField[] {
  const root = schemas.get(rootId);
  if (root === undefined) return fail('SCHEMA_UNKNOWN', { schemaId: rootId });
  const found = new Map<string, { identifier?: IdentifierKind; personal: boolean }>();

  const walk = (node: unknown, pointer: string, baseId: string, depth: number): void => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    if (depth > MAX_DEPTH) fail('CONFIG_INVALID', { field: 'schemas', reason: `schema ${rootId} nests deeper than ${MAX_DEPTH} (recursive $ref?)` });
    const n = node as Json;
    const base = typeof n.$id === 'string' ? new URL(n.$id, baseId).toString() : baseId;
    const ident = n['x-identifier'];
    const personal = n['x-personal'] === true;
    if (ident !== undefined || personal) {
      if (n.type !== undefined && n.type !== 'string') fail('CONFIG_INVALID', { field: 'schemas', reason: `tagged field ${pointer} of ${rootId} must be a string` });
      const prev = found.get(pointer) ?? { personal: false };
      found.set(pointer, { ...prev, ...(ident !== undefined ? { identifier: ident as IdentifierKind } : {}), personal: prev.personal || personal });
    }
    if (typeof n.$ref === 'string') {
      const t = resolveRef(n.$ref, base, schemas);
      walk(t.node, pointer, t.baseId, depth + 1);
    }
    if (n.properties !== null && typeof n.properties === 'object') {
      for (const [k, v] of Object.entries(n.properties as Json)) {
        if (k === '*') fail('CONFIG_INVALID', { field: 'schemas', reason: `property name "*" is reserved (${rootId})` });
        walk(v, `${pointer}/${escapePointerSegment(k)}`, base, depth + 1);
      }
    }
    if (n.items !== undefined) walk(n.items, `${pointer}/*`, base, depth + 1);
    for (const k of APPLICATORS_ARRAY) {
      const list = n[k];
      if (!Array.isArray(list)) continue;
      // prefixItems address positions; treat them as any element (union), which over-redacts rather than leaks.
      for (const sub of list) walk(sub, k === 'prefixItems' ? `${pointer}/*` : pointer, base, depth + 1);
    }
    for (const k of APPLICATORS_ONE) walk(n[k], pointer, base, depth + 1);
    if (n.dependentSchemas !== null && typeof n.dependentSchemas === 'object') {
      for (const v of Object.values(n.dependentSchemas as Json)) walk(v, pointer, base, depth + 1);
    }
  };
  walk(root, '', rootId, 0);
  return [...found.entries()].map(([pointer, t]) => ({ pointer, ...t }));
}
