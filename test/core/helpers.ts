/** Test helpers for the input fence: the InputError a call throws. */
import { InputError } from '../../src/core/diagnostics.js';

/** The InputError `fn` throws, so a test can look at its file and pointer (anything else fails). */
export function inputErrorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError, nothing was thrown');
}
