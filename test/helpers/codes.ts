/** Test helper: the CourtBridgeError code `f` throws, `OK` when it returns; any other error is rethrown (a bug). */
import { isCourtBridgeError } from '../../src/errors.js';

/** The code of the error `f` throws, or `OK`. */
export function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isCourtBridgeError(e)) return e.code;
    throw e;
  }
  return 'OK';
}
