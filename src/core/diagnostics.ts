/**
 * Errors that carry their exit code. A bad input file is an `InputError` (exit 2) whose message
 * is one line: the file, the JSON pointer of the bad field and what was expected.
 */
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

export class InputError extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
  constructor(
    readonly file: string,
    readonly pointer: string,
    readonly expectation: string,
  ) {
    super(`${file}: ${pointer === '' ? '/' : pointer}: ${expectation}`);
    this.name = 'InputError';
  }
}

/** A flag or option combination that cannot be honoured (also exit 2). */
export class UsageError extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof InputError || error instanceof UsageError) return EXIT_BAD_INPUT;
  // other errors of ours that mark bad input (e.g. the integer model's) carry the code themselves
  if (error instanceof Error && (error as { exitCode?: unknown }).exitCode === EXIT_BAD_INPUT) return EXIT_BAD_INPUT;
  return EXIT_FAILED;
}

/** One line, whatever the error: the message's first line, never a stack. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
