/**
 * `courtbridge verify bundle.json [--trust anchors.json] [--json]`: verify an evidence bundle OFFLINE (no network, no
 * database) and print the bilingual report (src/bundle/report.ts). Exit 0 iff 一致 (consistent), 1 when 不一致, 2 when
 * the bundle or the anchors cannot be read (coded error).
 */
import { parseCliArgs } from '../args.js';
import { readFile, stat } from 'node:fs/promises';
import { asCourtBridgeError, fail } from '../../errors.js';
import { renderReport } from '../../bundle/report.js';
import { MAX_BUNDLE_BYTES } from '../../bundle/types.js';
import { parseBundleText, parseTrustAnchors, verifyEvidenceBundle } from '../../bundle/verify.js';
import type { CliIo } from '../io.js';

/** Read a file of at most MAX_BUNDLE_BYTES (FILE_UNREADABLE / TOO_LARGE). */
export async function readBounded(file: string): Promise<Uint8Array> {
  try {
    const st = await stat(file);
    if (st.size > MAX_BUNDLE_BYTES) fail('TOO_LARGE', { field: file, limit: MAX_BUNDLE_BYTES });
    return new Uint8Array(await readFile(file));
  } catch (e) {
    throw asCourtBridgeError(e, 'FILE_UNREADABLE', { file, reason: (e as NodeJS.ErrnoException).code ?? 'unreadable' });
  }
}

/** Entry point of `courtbridge verify`. */
export async function verifyCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs(args, { trust: { type: 'string' }, json: { type: 'boolean' } });
  if (parsed.positionals.length !== 1) {
    io.err('usage: courtbridge verify bundle.json [--trust anchors.json] [--json]');
    return 2;
  }
  const bundle = parseBundleText(await readBounded(parsed.positionals[0]!));
  const trustAnchors = parsed.values.trust === undefined ? undefined : parseTrustAnchors(parseBundleText(await readBounded(parsed.values.trust), { exportedForm: false }));
  const v = verifyEvidenceBundle(bundle, trustAnchors === undefined ? {} : { trustAnchors });
  if (parsed.values.json) io.out(JSON.stringify(v));
  else for (const line of renderReport(v).replace(/\n$/, '').split('\n')) io.out(line);
  return v.consistent ? 0 : 1;
}
