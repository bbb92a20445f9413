import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveBoard } from '../../src/accel/boards.js';
import { exploreAccelerator, NoFeasibleDesign } from '../../src/accel/explore.js';
import { validateArtifact } from '../../src/core/schema.js';
import { loadGenotype, lowerGenotypeToNetwork } from '../../src/search/index.js';

const { genotype, space } = loadGenotype(join(import.meta.dirname, '../fixtures/fmnist-small.genotype.json'));
const network = lowerGenotypeToNetwork(space, genotype, 'fmnist_small');
// the ZCU102: this network's chunks need about 170k LUT (docs/synth.md §7), more than the Ultra96 or KV260 hold
const board = resolveBoard('zcu102');

describe('exploreAccelerator', () => {
  it('returns a schema-valid design whose predicted cost is its report', () => {
    const { design, report } = exploreAccelerator(network, board, { strategy: 'differentiable', samples: 400, seed: 3 });
    validateArtifact('design', design, '<design>');
    expect(design.predicted).toMatchObject({ feasible: true, fps: report.fps, dsp: report.dsp, bram18: report.bram18 });
    expect(design.explore?.logits).toBeDefined();
    expect(design.accelerator.chunks.flatMap((c) => c.layers).sort()).toEqual(network.layers.map((l) => l.name).sort());
  });

  it('a warm start from a design never ends worse than that design', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const first = exploreAccelerator(network, board, { strategy: 'differentiable', samples: 300, seed });
      const warm = { logits: first.design.explore?.logits ?? {}, accelerator: first.design.accelerator };
      const second = exploreAccelerator(network, board, { strategy: 'differentiable', samples: 100, seed: seed + 100, warmStart: warm });
      expect(second.report.fps).toBeGreaterThanOrEqual(first.report.fps);
      expect(second.outcome.trace[0][0]).toBe(0); // the previous design is sample 0
    }
  });

  it('fails with NoFeasibleDesign (not an exception from the model) when nothing fits', () => {
    const tiny = { ...board, resources: { dsp: 1, bram18: 1, lut: 100, ff: 100 } };
    expect(() => exploreAccelerator(network, tiny, { strategy: 'random', samples: 50, seed: 1 })).toThrow(NoFeasibleDesign);
  });
});
