/** Test helpers: the CourtBridgeError `f` throws (its code, `OK` when it returns, or the error itself); any other error is rethrown (a bug). */
import { isCourtBridgeError, type CourtBridgeError } from '../../src/errors.js';

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

/** The CourtBridgeError `f` throws (to assert its code and details); returning is a test failure, any other error is rethrown. */
export function errOf(f: () => unknown): CourtBridgeError {
  try {
    f();
  } catch (e) {
    if (isCourtBridgeError(e)) return e;
    throw e;
  }
  throw new Error('expected a failure');
}
