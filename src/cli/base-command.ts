/**
 * The base of every trips-hw command. Commands return their result from `run()`; with `--json`
 * oclif prints it on stdout. Every failure ends the same way: one line `trips-hw: <message>` on
 * stderr and exit 2 for bad input (files, flags) or 1 for a failed run — never a stack trace,
 * unless TRIPS_HW_DEBUG=1 asks for one.
 */
import { Command, Errors } from '@oclif/core';
import { EXIT_BAD_INPUT, EXIT_FAILED, exitCodeOf, InputError, oneLine } from '../core/diagnostics.js';

type CommandError = Error & { exitCode?: number; oclif?: { exit?: number } };

/** Our errors carry their code; oclif's flag-parsing errors carry theirs (2) in `oclif.exit`. */
function exitCodeFor(error: unknown): number {
  if (exitCodeOf(error) === EXIT_BAD_INPUT) return EXIT_BAD_INPUT;
  if (error instanceof Errors.CLIError) return error.oclif.exit ?? EXIT_FAILED;
  return EXIT_FAILED;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the ANSI colour codes it removes
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * oclif's flag errors span lines ("The following error occurred:" or "Parsing --flag", the
 * reasons, "See more help with --help"); keep the reasons, on one line.
 */
function messageOf(error: unknown): string {
  const fromParser = error instanceof Errors.CLIError || (error instanceof Error && error.message.startsWith('Parsing --'));
  if (!fromParser) return oneLine(error);
  const lines = error.message
    .replace(ANSI, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^See more help/.test(line) && !/^The following errors? occurred:$/.test(line));
  if (lines.length > 1 && /^Parsing --\S+$/.test(lines[0])) return `${lines[0]}: ${lines.slice(1).join('; ')}`;
  return lines.join('; ') || oneLine(error);
}

function errorJson(error: unknown, exitCode: number): Record<string, unknown> {
  const name = error instanceof Error ? error.name : 'Error';
  const where = error instanceof InputError ? { file: error.file, pointer: error.pointer } : {};
  return { error: { name, message: messageOf(error), exitCode, ...where } };
}

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  protected override async catch(error: CommandError): Promise<never> {
    // this.exit() inside run() is a deliberate exit, not a failure
    if (error instanceof Errors.ExitError) throw error;
    const code = exitCodeFor(error);
    if (process.env.TRIPS_HW_DEBUG === '1' && error.stack) process.stderr.write(`${error.stack}\n`);
    process.stderr.write(`trips-hw: ${messageOf(error)}\n`);
    if (this.jsonEnabled()) this.logJson(errorJson(error, code));
    this.exit(code);
  }
}
