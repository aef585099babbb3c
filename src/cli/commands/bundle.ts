/**
 * `courtbridge bundle export <attestationId|ledgerIndex> [--out FILE] [--party USCC]…`: build the evidence bundle of
 * an attestation from the configured store (COURTBRIDGE_STORE, COURTBRIDGE_MASTER_KEY) and print it (or write it to
 * FILE). `--party` names a case party (repeatable) so the bundle records whether the operator is one (利害关系).
 */
import { parseCliArgs } from '../args.js';
import { writeFile } from 'node:fs/promises';
import { fail } from '../../errors.js';
import { buildEvidenceBundle } from '../../bundle/build.js';
import { openBundleSourcesFromEnv } from '../../bundle/export.js';
import type { CliIo } from '../io.js';

/** Entry point of `courtbridge bundle`. */
export async function bundleCommand(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = parseCliArgs(args, { out: { type: 'string' }, party: { type: 'string', multiple: true } });
  const [sub, which, ...rest] = parsed.positionals;
  if (sub !== 'export' || which === undefined || rest.length > 0) {
    io.err('usage: courtbridge bundle export <attestationId|ledgerIndex> [--out FILE] [--party USCC]…');
    return 2;
  }
  let target: string | number;
  if (/^0x[0-9a-fA-F]{64}$/.test(which)) target = which.toLowerCase();
  else if (/^[0-9]{1,15}$/.test(which)) target = Number(which);
  else return fail('INVALID_INPUT', { field: 'attestation', reason: 'an attestation id (0x + 64 hex) or a ledger index' });
  const src = await openBundleSourcesFromEnv(env, (l) => io.err(l));
  try {
    const bundle = await buildEvidenceBundle(src, target, { caseParties: parsed.values.party ?? [] });
    const text = `${JSON.stringify(bundle, null, 2)}\n`;
    if (parsed.values.out === undefined) io.out(text.replace(/\n$/, ''));
    else {
      await writeFile(parsed.values.out, text);
      io.err(`bundle of ${JSON.parse(bundle.attestation.canonical).id as string} written to ${parsed.values.out}`);
    }
    return 0;
  } finally {
    await src.close();
  }
}
