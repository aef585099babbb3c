/**
 * The same bundle path on PostgreSQL (`COURTBRIDGE_TEST_PG`, own schema per run): a relay run on anvil + evm adapter,
 * `courtbridge bundle export` from the configured PostgreSQL store, verified offline 一致.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvidenceBundle } from '../../src/bundle/build.js';
import { verifyEvidenceBundle } from '../../src/bundle/verify.js';
import type { EvidenceBundle } from '../../src/bundle/types.js';
import { bundleCommand } from '../../src/cli/commands/bundle.js';
import { memoryIo } from '../../src/cli/io.js';
import { startWorld, type BundleWorld } from './helpers.js';

const PG = process.env.COURTBRIDGE_TEST_PG;

describe.skipIf(!PG)(PG ? 'evidence bundles on PostgreSQL (anvil + evm adapter)' : 'evidence bundles on PostgreSQL — skipped: no COURTBRIDGE_TEST_PG', () => {
  let w: BundleWorld;
  beforeAll(async () => {
    w = await startWorld('postgres', PG);
  }, 180_000);
  afterAll(async () => {
    await w?.close();
  });

  it('built in-process and exported by the CLI from the PostgreSQL store: both 一致, same source evidence', async () => {
    const r = await w.engine.attest(w.evmRef(3), { timeoutMs: 30_000 });
    const built = await buildEvidenceBundle(w.sources(), r.receipt.attestationId);
    expect(verifyEvidenceBundle(built).consistent).toBe(true);
    const io = memoryIo();
    expect(await bundleCommand(['export', String(r.receipt.ledgerIndex)], io, { ...process.env, ...w.backend.env }), io.stderr.join('\n')).toBe(0);
    const exported = JSON.parse(io.stdout.join('\n')) as EvidenceBundle;
    expect(exported.sourceEvidence).toEqual(built.sourceEvidence);
    expect(verifyEvidenceBundle(exported).consistent).toBe(true);
  }, 60_000);
});
