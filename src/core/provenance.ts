/**
 * Provenance — stage: core. In: the package's version and the git commit it runs from (read once
 * per process), plus a seed or command line when a stage gives one. Out: the provenance block that
 * artifacts carry (tool, version, git hash, time). Outside a git checkout the hash is `unknown`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './paths.js';

export interface Provenance {
  readonly tool: string;
  readonly toolVersion: string;
  readonly gitHash: string;
  readonly createdAt: string;
  readonly seed?: number;
  readonly command?: string;
  /** The TF.js backend that trained the network, when one did. */
  readonly backend?: string;
}

let cached: { version: string; git: string } | undefined;

function toolIdentity(): { version: string; git: string } {
  if (cached) return cached;
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  let git = 'unknown';
  try {
    git = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    // not a git checkout (an installed package): the version alone identifies the tool
  }
  cached = { version: pkg.version, git };
  return cached;
}

export function makeProvenance(extra: { seed?: number; command?: string } = {}): Provenance {
  const { version, git } = toolIdentity();
  return { tool: 'trips-hw', toolVersion: version, gitHash: git, createdAt: new Date().toISOString(), ...extra };
}
