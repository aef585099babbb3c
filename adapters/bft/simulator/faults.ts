/**
 * Fault injection of the BFT simulator (only with `--faults`; docs/bft-simulator-rpc.md §Faults). Transport faults
 * act on matching requests (optionally only some methods, optionally only `times` times); action faults change the
 * chain (equivocation, validator-set rotation) once.
 */
import { fail } from '../../../src/errors.js';

/** A transport or proof fault applied to the responses of matching requests. */
export type TransportFault =
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'drop' }
  | { readonly kind: 'garbage' }
  | { readonly kind: 'oversized'; readonly bytes: number }
  | { readonly kind: 'slowDrip'; readonly intervalMs: number }
  | { readonly kind: 'httpError'; readonly status: number }
  | { readonly kind: 'wrongProof' }
  | { readonly kind: 'wrongKey' };

/** A one-shot change of the chain. */
export type ActionFault =
  | { readonly kind: 'equivocate'; readonly height?: number }
  | { readonly kind: 'rotate'; readonly certified: boolean; readonly validators?: number }
  | { readonly kind: 'revert'; readonly height: number };

/** What `sim_setFault` accepts. */
export type Fault = TransportFault | ActionFault;

/** An installed transport fault with its scope. */
export interface ActiveFault {
  readonly id: number;
  readonly fault: TransportFault;
  /** Methods it applies to; all non-`sim_` methods when absent. */
  readonly methods?: readonly string[];
  /** Remaining applications; unlimited when undefined. */
  remaining?: number;
}

const MAX_DELAY_MS = 120_000;
const MAX_OVERSIZED = 256 * 1024 * 1024;

function int(value: unknown, field: string, min: number, max: number, dflt?: number): number {
  if (value === undefined && dflt !== undefined) return dflt;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) return fail('INVALID_INPUT', { field, reason: `must be an integer ${min}…${max}` });
  return value;
}

/** Parse the `sim_setFault` parameter object: `{kind, …kind options, methods?, times?}`. */
export function parseFault(value: unknown): { fault: Fault; methods?: string[]; times?: number } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('INVALID_INPUT', { field: 'fault', reason: 'must be an object' });
  const o = value as Record<string, unknown>;
  const methods = o.methods === undefined ? undefined : Array.isArray(o.methods) && o.methods.every((m) => typeof m === 'string') ? (o.methods as string[]) : fail('INVALID_INPUT', { field: 'fault.methods', reason: 'must be an array of method names' });
  const times = o.times === undefined ? undefined : int(o.times, 'fault.times', 1, 1_000_000);
  const scope = { ...(methods === undefined ? {} : { methods }), ...(times === undefined ? {} : { times }) };
  const kind = o.kind;
  switch (kind) {
    case 'delay': return { fault: { kind, ms: int(o.ms, 'fault.ms', 0, MAX_DELAY_MS) }, ...scope };
    case 'drop': case 'garbage': case 'wrongProof': case 'wrongKey': return { fault: { kind }, ...scope };
    case 'oversized': return { fault: { kind, bytes: int(o.bytes, 'fault.bytes', 1, MAX_OVERSIZED, 8 * 1024 * 1024) }, ...scope };
    case 'slowDrip': return { fault: { kind, intervalMs: int(o.intervalMs, 'fault.intervalMs', 1, 60_000, 200) }, ...scope };
    case 'httpError': return { fault: { kind, status: int(o.status, 'fault.status', 400, 599, 503) }, ...scope };
    case 'equivocate': return { fault: { kind, ...(o.height === undefined ? {} : { height: int(o.height, 'fault.height', 0, Number.MAX_SAFE_INTEGER) }) } };
    case 'revert': return { fault: { kind, height: int(o.height, 'fault.height', 0, Number.MAX_SAFE_INTEGER) } };
    case 'rotate': {
      if (o.certified !== undefined && typeof o.certified !== 'boolean') fail('INVALID_INPUT', { field: 'fault.certified', reason: 'must be a boolean' });
      return { fault: { kind, certified: o.certified !== false, ...(o.validators === undefined ? {} : { validators: int(o.validators, 'fault.validators', 1, 64) }) } };
    }
    default: return fail('INVALID_INPUT', { field: 'fault.kind', reason: `unknown fault ${String(kind)}` });
  }
}

/** The installed transport faults, first match wins. */
export class FaultTable {
  readonly #faults: ActiveFault[] = [];
  #next = 1;

  /** Install a transport fault; returns its id. */
  add(fault: TransportFault, methods?: readonly string[], times?: number): number {
    const id = this.#next++;
    this.#faults.push({ id, fault, ...(methods === undefined ? {} : { methods }), ...(times === undefined ? {} : { remaining: times }) });
    return id;
  }

  /** Remove every fault; returns how many there were. */
  clear(): number {
    const n = this.#faults.length;
    this.#faults.length = 0;
    return n;
  }

  /** The fault to apply to a call of `method` (consuming one application), if any. `sim_` methods are never faulted. */
  take(method: string): TransportFault | undefined {
    if (method.startsWith('sim_')) return undefined;
    const i = this.#faults.findIndex((f) => f.methods === undefined || f.methods.includes(method));
    if (i < 0) return undefined;
    const f = this.#faults[i]!;
    if (f.remaining !== undefined && --f.remaining <= 0) this.#faults.splice(i, 1);
    return f.fault;
  }
}
