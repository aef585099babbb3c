/**
 * The simulator's JSON-RPC 2.0 methods (docs/bft-simulator-rpc.md): parameters by position, checked strictly; results
 * in the wire format of docs/bft-format.md. Absent things (a block above the head, an unknown record) are `null`.
 */
import { isCourtBridgeError } from '../../../src/errors.js';
import type { BftRecordProof } from '../../../src/proofs/bft/format.js';
import type { SimChain } from './chain.js';
import { parseFault, type FaultTable } from './faults.js';

/** JSON-RPC 2.0 §5.1 error codes, plus the simulator's own. */
export const RPC_ERRORS = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
} as const;

/** An error answered as a JSON-RPC error object. */
export class RpcError {
  constructor(readonly code: number, readonly message: string, readonly data?: unknown) {}
}

/** What a method handler may use. */
export interface RpcContext {
  readonly chain: SimChain;
  readonly faults: FaultTable;
  /** True when started with `--faults`: the `sim_setFault` / `sim_clearFaults` methods exist. */
  readonly faultsEnabled: boolean;
  /** A proof tamper applied to this call's record (from a wrongProof / wrongKey fault). */
  readonly tamper?: 'wrongProof' | 'wrongKey';
}

function params(p: unknown, min: number, max: number): unknown[] {
  if (p === undefined) p = [];
  if (!Array.isArray(p) || p.length < min || p.length > max) throw new RpcError(RPC_ERRORS.INVALID_PARAMS, `expected ${min === max ? min : `${min}…${max}`} positional parameters`);
  return p;
}

function height(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new RpcError(RPC_ERRORS.INVALID_PARAMS, `${name} must be a non-negative safe integer`);
  return v;
}

function str(v: unknown, name: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 256) throw new RpcError(RPC_ERRORS.INVALID_PARAMS, `${name} must be a string of 1…256 characters`);
  return v;
}

function flip(record: BftRecordProof): BftRecordProof {
  const first = record.proof[0];
  if (first === undefined) return { ...record, proof: [`0x${'00'.repeat(32)}`] };
  const last = (parseInt(first.slice(-2), 16) ^ 1).toString(16).padStart(2, '0');
  return { ...record, proof: [first.slice(0, -2) + last, ...record.proof.slice(1)] };
}

type Handler = (p: unknown, ctx: RpcContext) => unknown;

const METHODS: Readonly<Record<string, Handler>> = {
  bft_chainId: (p, { chain }) => (params(p, 0, 0), chain.options.chainId),
  bft_finalizedHead: (p, { chain }) => {
    params(p, 0, 0);
    const b = chain.head();
    return { height: b.header.height, hash: b.hash, timestamp: b.header.timestamp };
  },
  bft_getBlock: (p, { chain }) => {
    const [h] = params(p, 1, 1);
    const b = chain.block(height(h, 'height'));
    if (b === undefined) return null;
    return { header: b.header, certificate: b.certificate, ...(b.nextValidatorSet === undefined ? {} : { nextValidatorSet: b.nextValidatorSet }) };
  },
  bft_getValidatorSet: (p, { chain }) => chain.validatorSetAt(height(params(p, 1, 1)[0], 'height')) ?? null,
  bft_getRecord: (p, { chain, tamper }) => {
    const [t, k, at] = params(p, 2, 3);
    const recordType = str(t, 'recordType');
    const key = str(k, 'key');
    const found = chain.record(recordType, key, at === undefined || at === null ? undefined : height(at, 'atHeight'));
    if (found === undefined) return null;
    if (tamper === 'wrongProof') return { height: found.height, record: flip(found.record) };
    if (tamper === 'wrongKey') return chain.otherRecord(recordType, key) ?? { height: found.height, record: { ...found.record, data: { key: `${key}-other` } } };
    return found;
  },
  bft_getBlockRecords: (p, { chain }) => {
    const h = height(params(p, 1, 1)[0], 'height');
    const b = chain.block(h);
    if (b === undefined) return null;
    return { height: h, records: b.records.map((r, index) => ({ recordType: r.recordType, key: r.key, index })) };
  },
  bft_getHandovers: (p, { chain }) => ({ heights: chain.handovers(height(params(p, 1, 1)[0], 'afterHeight')) }),
  bft_submitRecord: (p, { chain }) => {
    const [t, data, kf] = params(p, 2, 3);
    const keyField = kf === undefined ? 'key' : str(kf, 'keyField');
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new RpcError(RPC_ERRORS.INVALID_PARAMS, 'record must be a JSON object');
    const key = (data as Record<string, unknown>)[keyField];
    const pending = chain.submit({ recordType: str(t, 'recordType'), key: str(key, `record.${keyField}`), data });
    return { pending, height: chain.head().header.height + 1 };
  },
  bft_trustAnchor: (p, { chain }) => {
    params(p, 0, 0);
    const g = chain.block(0)!;
    return { chainId: chain.options.chainId, recordsHashAlg: chain.options.hashAlg, header: g.header, hash: g.hash, validatorSet: chain.validatorSetAt(0) };
  },
  sim_produceBlock: (p, { chain }) => {
    params(p, 0, 0);
    const b = chain.produce();
    return { height: b.header.height, hash: b.hash, recordCount: b.header.recordCount };
  },
  sim_setFault: (p, ctx) => {
    const { fault, methods, times } = parseFault(params(p, 1, 1)[0]);
    switch (fault.kind) {
      case 'equivocate': {
        const b = ctx.chain.equivocate(fault.height);
        return { height: b.header.height, hash: b.hash };
      }
      case 'revert':
        ctx.chain.revert(fault.height);
        return { height: ctx.chain.head().header.height, hash: ctx.chain.head().hash };
      case 'rotate':
        ctx.chain.planRotation({ certified: fault.certified, validators: fault.validators ?? ctx.chain.options.validators });
        return { planned: true, height: ctx.chain.head().header.height + 1 };
      default:
        return { id: ctx.faults.add(fault, methods, times) };
    }
  },
  sim_clearFaults: (p, { faults }) => (params(p, 0, 0), { cleared: faults.clear() }),
};

/** Call `method`; throws RpcError for unknown methods and bad parameters. */
export function callMethod(method: string, p: unknown, ctx: RpcContext): unknown {
  const handler = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
  if (handler === undefined || ((method === 'sim_setFault' || method === 'sim_clearFaults') && !ctx.faultsEnabled)) {
    throw new RpcError(RPC_ERRORS.METHOD_NOT_FOUND, `method not found: ${method}`);
  }
  try {
    return handler(p, ctx);
  } catch (e) {
    if (e instanceof RpcError) throw e;
    if (isCourtBridgeError(e)) throw new RpcError(RPC_ERRORS.INVALID_PARAMS, e.message, { code: e.code });
    throw new RpcError(RPC_ERRORS.INTERNAL_ERROR, 'internal error');
  }
}
