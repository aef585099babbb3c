/** Command-line option parsing shared by every command: node's `parseArgs`, strict, failures as INVALID_INPUT. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { fail } from '../errors.js';

/** Parse `args` against `options` (positionals allowed, unknown options rejected) or fail with INVALID_INPUT. */
export function parseCliArgs<const O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true } as const);
  } catch (e) {
    return fail('INVALID_INPUT', { field: 'arguments', reason: (e as Error).message }, e);
  }
}
