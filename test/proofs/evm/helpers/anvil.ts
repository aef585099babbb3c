/**
 * Test helpers: a real local anvil node spoken to with raw JSON-RPC over HTTP, and offline solc compilation of the
 * partner contracts in test/fixtures/contracts. The code lives in adapters/evm/dev-node.ts (the demo runs it from
 * dist/); this file keeps the tests' call shape.
 */
import { compileContract, sendTx, startAnvil as startDevNode, type Anvil } from '../../../../adapters/evm/dev-node.js';

export { compileContract, sendTx, type Anvil };

/** Start anvil with the given hardfork and wait until it answers. */
export function startAnvil(hardfork = 'prague', extra: string[] = []): Promise<Anvil> {
  return startDevNode({ hardfork, extra });
}
