/** Run the built command line (`npm test` builds first) the way a user does. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../src/core/paths.js';

export const ROOT = PACKAGE_ROOT;
export const FIXTURE_GENOTYPE = join(ROOT, 'test', 'fixtures', 'cifar22-mixed.genotype.json');

export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: readonly string[]): Promise<CliResult> {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'commands'))) {
    throw new Error('dist/cli is missing: run `npm run build` (npm test does) before these tests');
  }
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
  delete env.TRIPS_HW_DEBUG;
  const r = await execa('node', [join(ROOT, 'bin', 'run.js'), ...args], { cwd: ROOT, reject: false, env, extendEnv: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** stderr as lines, without the trailing newline. */
export function stderrLines(r: CliResult): string[] {
  return r.stderr.split('\n').filter((line) => line !== '');
}
