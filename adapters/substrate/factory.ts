/**
 * The `substrate` factory, registered in adapters/registry.ts. Thin on purpose: `create` loads the adapter (and the
 * `ws` client) with a dynamic `import()`, so a process that talks to no Substrate chain never loads them.
 */
import type { Adapter, AdapterDeps, AdapterFactory, Registration } from '../types.js';

/** The built-in `substrate` factory. */
export const substrateAdapterFactory: AdapterFactory = {
  kind: 'substrate',
  async create(registration: Registration, deps: AdapterDeps): Promise<Adapter> {
    const { createSubstrateAdapter } = await import('./adapter.js');
    return createSubstrateAdapter(registration, deps);
  },
};
