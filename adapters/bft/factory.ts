/**
 * The `bft` adapter factory, registered in adapters/registry.ts. Thin on purpose: `create` loads the adapter (and
 * axios) with a dynamic `import()`, so a process that talks to no BFT chain never loads them.
 */
import type { Adapter, AdapterDeps, AdapterFactory, Registration } from '../types.js';

/** The built-in `bft` factory. */
export const bftAdapterFactory: AdapterFactory = {
  kind: 'bft',
  async create(registration: Registration, deps: AdapterDeps): Promise<Adapter> {
    const { createBftAdapter } = await import('./adapter.js');
    return createBftAdapter(registration, deps);
  },
};
