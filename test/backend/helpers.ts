/**
 * Test helpers of the backends: tool detection (tests that need g++ are skipped with a visible
 * reason without it), fixture designs, the pipeline from a design to a generated project, and
 * random small designs (src/accel/random-designs.ts) with the test provenance.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomDesign as randomDesignOn, randomNetwork } from '../../src/accel/random-designs.js';
import type { DesignPoint } from '../../src/accel/types.js';
import { generateProject, type GeneratedProject } from '../../src/backend/generate.js';
import type { HlsTool } from '../../src/backend/hls/lower.js';
import type { NetworkSpec } from '../../src/core/network.js';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import type { Provenance } from '../../src/core/provenance.js';
import type { Rng } from '../../src/core/random.js';
import { randomWeights } from '../../src/nn/random-weights.js';
import * as tf from '../../src/nn/tf.js';
import { buildIntegerModel } from '../../src/quant/index.js';

export function hasTool(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const FIXTURE_DESIGNS = ['tiny-mixed', 'tiny-chain'] as const;

export function fixtureDesign(name: string): DesignPoint {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'test', 'fixtures', `${name}.design.json`), 'utf8')) as DesignPoint;
}

/** Fixed provenance, so generated trees do not change with the commit or the clock. */
export const TEST_PROVENANCE: Provenance = {
  tool: 'trips-hw',
  toolVersion: '0.0.0-test',
  gitHash: 'test',
  createdAt: '2026-01-01T00:00:00.000Z',
  seed: 1,
};

/** Random weights (on the active backend) → integer model → every file of the project. */
export function generateFor(design: DesignPoint, seed = 1, tool: HlsTool = 'vitis-hls-2023.2', images = 2): GeneratedProject {
  const weights = randomWeights(design.network, seed);
  const model = buildIntegerModel(design.network, weights);
  tf.dispose(Object.values(weights));
  return generateProject(design, model, { tool, provenance: TEST_PROVENANCE, weights: { source: 'random', seed }, images, seed });
}

export function writeProject(dir: string, project: GeneratedProject): void {
  for (const f of project.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
}

/** A design of `network` on the ZCU102 with random chunk parameters and the test provenance. */
export function randomDesign(rng: Rng, network: NetworkSpec): DesignPoint {
  return randomDesignOn(rng, network, 'zcu102', TEST_PROVENANCE);
}

export { randomNetwork };
