/** Test helper: the error code a function throws ('OK' when it returns). */
import { CourtBridgeError } from '../../../../src/errors.js';

/** Run `fn` and return the code of the CourtBridgeError it throws, 'OK' if none; rethrow foreign errors. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CourtBridgeError) return e.code;
    throw e;
  }
  return 'OK';
}
