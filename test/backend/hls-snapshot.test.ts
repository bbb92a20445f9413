/**
 * Golden generated trees: every file `generate` writes for the tiny fixture designs (weights from
 * a fixed seed on the cpu backend, fixed provenance), one per HLS tool. A change to a template,
 * to lowering or to the integer model shows up here as a reviewed diff. CI never writes these
 * snapshots (.ci/run sets CI): a missing one fails.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/nn/backend.js';
import { fixtureDesign, generateFor } from './helpers.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const CASES = [
  { fixture: 'tiny-mixed', tool: 'vitis-hls-2023.2' },
  { fixture: 'tiny-chain', tool: 'vivado-hls-2020.1' },
] as const;

describe('generated project trees', () => {
  for (const { fixture, tool } of CASES) {
    it(`${fixture} for ${tool}`, async () => {
      const project = generateFor(fixtureDesign(fixture), 1, tool);
      const paths = project.files.map((f) => f.path).sort();
      expect(paths).toMatchSnapshot();
      for (const file of project.files) {
        await expect(file.content).toMatchFileSnapshot(`__snapshots__/${fixture}/${file.path}.snap`);
      }
    });
  }
});
