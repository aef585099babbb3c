/**
 * Part 5 of the demo: evidence bundles (src/bundle). For one attestation of an EVM chain and one of the BFT chain,
 * the hub builds the self-contained bundle (attestation, raw record, source evidence, validator-set chain, ledger
 * inclusion proof and checkpoint, the partner's registration with its own inclusion proof, the court facts) and
 * writes it to data/demo/; the file alone is then verified offline, step by named step, ending in 一致 / 不一致.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEvidenceBundle, type BundleSources } from '../../bundle/build.js';
import { parseBundleText, parseTrustAnchors, verifyEvidenceBundle } from '../../bundle/verify.js';
import type { TrustAnchors } from '../../bundle/types.js';
import { say } from './ui.js';
import type { DemoReceipt } from './relay-part.js';

/** What part 5 showed. */
export interface BundlePartResult {
  built: number;
  consistent: number;
  /** Error code when the export failed (src/bundle is still being built). */
  failed?: string;
}

/** Build, write and verify offline (against the published `anchors`, also written out) the bundles of `receipts`. */
export async function bundlePart(dir: string, src: BundleSources, receipts: readonly DemoReceipt[], anchors: TrustAnchors): Promise<BundlePartResult> {
  let consistent = 0;
  const anchorsFile = join(dir, 'trust-anchors.json');
  writeFileSync(anchorsFile, `${JSON.stringify(anchors, null, 2)}\n`);
  say(`   published trust anchors: trust-anchors.json (ledger verifier keys, hub DID, each chain's registered anchor)`);
  for (const r of receipts) {
    const bundle = await buildEvidenceBundle(src, r.attestationId);
    const name = `bundle-${r.ref.chainId.replace(/[^a-z0-9]+/gi, '-')}-${r.ledgerIndex}.json`;
    const file = join(dir, name);
    writeFileSync(file, `${JSON.stringify(bundle, null, 2)}\n`);
    say(`   exported ${name} (${r.ref.chainId} ${r.ref.recordType}, ledger #${r.ledgerIndex})`);
    // Offline: only the file's bytes from here on (no store, no chain, no network).
    const v = verifyEvidenceBundle(parseBundleText(readFileSync(file)), { trustAnchors: parseTrustAnchors(JSON.parse(readFileSync(anchorsFile, 'utf8'))) });
    for (const s of v.steps) say(`     ${s.name.padEnd(22)} ${s.status}${s.code === 'OK' ? '' : `  ${s.code}`}`);
    say(`   → ${name}: ${v.consistent ? '一致 (consistent)' : `不一致 (inconsistent): ${v.reason?.step} ${v.reason?.code}`}`);
    if (v.consistent) consistent++;
    if (r === receipts[0]) {
      // A copy with one field of the raw record edited: the offline check must say 不一致 and name the step.
      const forged = JSON.parse(readFileSync(file, 'utf8')) as { record: Record<string, unknown> };
      const field = Object.keys(forged.record).find((k) => typeof forged.record[k] === 'string');
      if (field !== undefined) forged.record[field] = `${String(forged.record[field])}（改）`;
      const f = verifyEvidenceBundle(forged, { trustAnchors: anchors });
      say(`   → the same bundle with record.${field} edited: ${f.consistent ? '一致 (NOT DETECTED)' : `不一致 (inconsistent) at ${f.reason?.step}: ${f.reason?.code}`}`);
    }
  }
  return { built: receipts.length, consistent };
}
