/** The adapter conformance suite (adapters/conformance.ts) for the `evm` adapter against a real anvil node. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterConformance } from '../../adapters/conformance.js';
import { evmHarness, startEvmChain, type EvmChain } from './evm-harness.js';

let chain: EvmChain | undefined;
beforeAll(async () => {
  chain = await startEvmChain();
}, 60_000);
afterAll(async () => {
  await chain?.anvil.stop();
});

adapterConformance(
  evmHarness(() => chain ?? (() => { throw new Error('anvil not started'); })()),
  { describe, it, expect: expect as never, beforeAll, afterAll },
);
