/**
 * `courtbridge proof verify FILE…`: one line per file — `<file>\tvalid`, `<file>\tinvalid\t<CODE>` (checked and
 * failed) or `<file>\terror\t<CODE>` (unreadable, malformed, unknown type). Exit 0 only if every file is valid.
 */
import { readFile, stat } from 'node:fs/promises';
import { asCourtBridgeError, fail } from '../../errors.js';
import { PROOF_TYPES } from '../proof-types.js';
import type { CliIo } from '../io.js';

/** Proof files larger than this are refused before parsing. */
export const MAX_PROOF_FILE_BYTES = 64 * 1024 * 1024;

/** Verify one proof file; resolves to the status line. */
export async function verifyProofFile(file: string): Promise<{ line: string; ok: boolean }> {
  try {
    let text: string;
    try {
      const st = await stat(file);
      if (st.size > MAX_PROOF_FILE_BYTES) fail('TOO_LARGE', { field: file, limit: MAX_PROOF_FILE_BYTES });
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw asCourtBridgeError(e, 'FILE_UNREADABLE', { file, reason: (e as NodeJS.ErrnoException).code ?? 'unreadable' });
    }
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (e) {
      fail('MALFORMED_JSON', { field: file, reason: (e as Error).message }, e);
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('MALFORMED_JSON', { field: file, reason: 'top level must be an object' });
    const type = (input as Record<string, unknown>).type;
    if (typeof type !== 'string' || !Object.hasOwn(PROOF_TYPES, type)) fail('UNKNOWN_TYPE', { type: String(type) });
    await PROOF_TYPES[type]!(input as Record<string, unknown>, text);
    return { line: `${file}\tvalid`, ok: true };
  } catch (e) {
    const err = asCourtBridgeError(e);
    return { line: `${file}\t${err.category === 'verify' ? 'invalid' : 'error'}\t${err.code}`, ok: false };
  }
}

/** Entry point of `courtbridge proof …`. */
export async function proofCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...files] = args;
  if (sub !== 'verify' || files.length === 0) {
    io.err('usage: courtbridge proof verify FILE…');
    return 2;
  }
  let allOk = true;
  for (const f of files) {
    const r = await verifyProofFile(f);
    io.out(r.line);
    allOk &&= r.ok;
  }
  return allOk ? 0 : 1;
}
