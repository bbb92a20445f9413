/**
 * The generated HLS projects C-simulate bit-exact: `make csim` (g++, the portable integer
 * header) runs each testbench, which compares every layer's output and every score with the
 * golden integer model — for the fixture designs under both tools, and for random small
 * networks with random chunk parameters covering conv, grouped conv with shuffle, depthwise,
 * add, pool and fc, both loop orders, both PE modes and bitwidths 4/6/8.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { selectBackend } from '../../src/nn/backend.js';
import { FIXTURE_DESIGNS, fixtureDesign, generateFor, hasTool, randomDesign, randomNetwork, writeProject } from './helpers.js';

const tools = hasTool('g++') && hasTool('make');
if (!tools) console.warn('hls-csim: skipped — g++ and make are needed (apt-get install g++ make)');

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-csim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend('cpu');
});

/** Strict flags: a warning in generated code fails the test. -O1 keeps the compile short. */
const CXXFLAGS = 'CXXFLAGS=-std=c++11 -O1 -Wall -Wextra -Werror';

async function csim(project: string): Promise<string> {
  const { stdout } = await execa('make', ['-s', '-C', join(project, 'hls'), 'csim', CXXFLAGS]);
  return stdout;
}

describe.skipIf(!tools)('make csim of generated HLS projects', () => {
  for (const name of FIXTURE_DESIGNS) {
    for (const tool of ['vitis-hls-2023.2', 'vivado-hls-2020.1'] as const) {
      it(`${name} (${tool}) is bit-exact with the golden model`, async () => {
        const project = join(dir, `${name}-${tool}`);
        writeProject(project, generateFor(fixtureDesign(name), 1, tool));
        expect(await csim(project)).toMatch(/bit-exact with the golden model/);
      }, 60_000);
    }
  }

  it('fails when one generated constant is wrong (the testbench can fail)', async () => {
    const generated = generateFor(fixtureDesign('tiny-chain'));
    const files = generated.files.map((f) =>
      f.path === 'hls/src/weights/conv_small_b8.h'
        ? {
            ...f,
            content: f.content.replace(/const w_t W\[\d+\] = \{\n {4}(-?\d+),/, (m, v: string) =>
              m.replace(`${v},`, `${Number(v) === 1 ? 2 : 1},`),
            ),
          }
        : f,
    );
    expect(files.find((f) => f.path === 'hls/src/weights/conv_small_b8.h')?.content).not.toBe(
      generated.files.find((f) => f.path === 'hls/src/weights/conv_small_b8.h')?.content,
    );
    const project = join(dir, 'broken');
    writeProject(project, { ...generated, files });
    const result = await execa('make', ['-s', '-C', join(project, 'hls'), 'csim', CXXFLAGS], { reject: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toMatch(/FAIL image 0 layer c1: output hash/);
  }, 60_000);

  it('random networks with random chunk parameters: ≥ 50 layers, every kind, bit-exact', async () => {
    const rng = new Rng(515);
    const seen = { layers: 0, kinds: new Set<string>(), orders: new Set<string>(), modes: new Set<string>(), bits: new Set<number>() };
    for (let i = 0; seen.layers < 80 || i < 14; i++) {
      const design = randomDesign(rng, randomNetwork(rng, `random-${i}`));
      const project = join(dir, `random-${i}`);
      writeProject(project, generateFor(design, 100 + i));
      const out = await csim(project);
      expect(out, `random-${i}`).toMatch(/bit-exact with the golden model/);
      seen.layers += design.network.layers.length;
      for (const l of design.network.layers) {
        seen.kinds.add(l.kind === 'conv' && l.groups > 1 ? 'grouped' : l.kind);
        seen.bits.add(l.bits);
      }
      for (const c of design.accelerator.chunks) {
        seen.orders.add(c.params.loopOrder);
        seen.modes.add(c.params.parallel);
      }
    }
    expect(seen.layers).toBeGreaterThanOrEqual(50);
    expect([...seen.kinds].sort()).toEqual(['add', 'conv', 'dwconv', 'fc', 'grouped', 'pool']);
    expect([...seen.orders].sort()).toEqual(['os', 'ws']);
    expect([...seen.modes].sort()).toEqual(['mn', 'mp']);
    expect([...seen.bits].sort()).toEqual([4, 6, 8]);
  }, 300_000);
});
