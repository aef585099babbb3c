/**
 * The one registry of adapter factories: adapter kind → factory, registered explicitly (no registration by import
 * side effect) and refusing duplicates (ADAPTER_DUPLICATE). Chains are data: every EVM chain uses the one `evm`
 * factory with its own registration; there is no subclass per chain.
 *
 * Built-in factories are thin: each `create` loads its implementation (and the chain SDK it needs) with a dynamic
 * `import()`, so a process that only talks to EVM chains never loads @polkadot/api.
 * Model: hyperlane typescript/provider-sdk/src/protocol.ts.
 */
import { fail } from '../src/errors.js';
import type { Adapter, AdapterDeps, AdapterFactory, AdapterKind, Registration } from './types.js';
import { bftAdapterFactory } from './bft/factory.js';
import { substrateAdapterFactory } from './substrate/factory.js';

/** The built-in `evm` factory (ethers-free JSON-RPC hot path; loaded lazily). */
export const evmAdapterFactory: AdapterFactory = {
  kind: 'evm',
  async create(registration: Registration, deps: AdapterDeps): Promise<Adapter> {
    const { createEvmAdapter } = await import('./evm/adapter.js');
    return createEvmAdapter(registration, deps);
  },
};

/** Factories shipped with CourtBridge, in one list (add a kind here, once). */
export const BUILTIN_ADAPTER_FACTORIES: readonly AdapterFactory[] = [evmAdapterFactory, bftAdapterFactory, substrateAdapterFactory];

/** A set of factories by kind. */
export interface AdapterRegistry {
  /** Add a factory; ADAPTER_DUPLICATE when its kind is taken. */
  register(factory: AdapterFactory): void;
  /** Create the adapter of `registration.kind`; ADAPTER_KIND_UNKNOWN when no factory handles it. */
  create(registration: Registration, deps?: AdapterDeps): Promise<Adapter>;
  /** Registered kinds. */
  kinds(): AdapterKind[];
}

/** A registry holding `factories` (duplicates refused). */
export function createAdapterRegistry(factories: readonly AdapterFactory[] = []): AdapterRegistry {
  const byKind = new Map<string, AdapterFactory>();
  const registry: AdapterRegistry = {
    register(factory) {
      if (byKind.has(factory.kind)) fail('ADAPTER_DUPLICATE', { kind: factory.kind });
      byKind.set(factory.kind, factory);
    },
    async create(registration, deps = {}) {
      const factory = byKind.get(registration.kind) ?? fail('ADAPTER_KIND_UNKNOWN', { kind: String(registration.kind) });
      return factory.create(registration, deps);
    },
    kinds: () => [...byKind.keys()] as AdapterKind[],
  };
  for (const f of factories) registry.register(f);
  return registry;
}

/** The process-wide registry, holding the built-in factories. */
const defaultRegistry = createAdapterRegistry(BUILTIN_ADAPTER_FACTORIES);

/** Register a factory in the process-wide registry (ADAPTER_DUPLICATE when its kind is taken). */
export function registerAdapterFactory(factory: AdapterFactory): void {
  defaultRegistry.register(factory);
}

/** Create the adapter for `registration` from the process-wide registry. */
export function createAdapter(registration: Registration, deps: AdapterDeps = {}): Promise<Adapter> {
  return defaultRegistry.create(registration, deps);
}
