/**
 * bench:generate — how long `generate` takes to lower and render the 22-cell CIFAR network
 * (the paper's search space, mixed 4/6/8-bit, 12 chunks, ZC706): layer program, HLS lowering and
 * every rendered file, with and without the weight headers (the budget, ≤ 1 s, excludes
 * weight files), plus the golden model and the random weights separately. Median of 5 runs.
 * Last line: JSON.
 */
import { join } from 'node:path';
import { exploreAccelerator } from '../accel/explore.js';
import { resolveBoard } from '../accel/boards.js';
import { computeGoldenVectors } from '../backend/golden.js';
import { lowerProgramToHls } from '../backend/hls/lower.js';
import { renderHls } from '../backend/hls/render.js';
import { lowerDesignToProgram } from '../backend/program.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { selectBackend } from '../nn/backend.js';
import { randomWeights } from '../nn/random-weights.js';
import * as tf from '../nn/tf.js';
import { buildIntegerModel } from '../quant/integer-model.js';
import { loadGenotype, lowerGenotypeToNetwork } from '../search/index.js';
import { machineLine } from './machine.js';

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const backend = await selectBackend();
  const { genotype, space } = loadGenotype(join(PACKAGE_ROOT, 'test/fixtures/cifar22-mixed.genotype.json'));
  const network = lowerGenotypeToNetwork(space, genotype, 'cifar22_mixed');
  const { design } = exploreAccelerator(network, resolveBoard('zc706'), { strategy: 'random', samples: 2000, seed: 1 });
  let t = performance.now();
  const weights = randomWeights(network, 1);
  const model = buildIntegerModel(network, weights);
  tf.dispose(Object.values(weights));
  const weightsMs = performance.now() - t;
  const times = {
    program: [] as number[],
    golden: [] as number[],
    lowerHls: [] as number[],
    renderAll: [] as number[],
    renderWeights: [] as number[],
  };
  let files = 0;
  let bytes = 0;
  for (let run = 0; run < RUNS; run++) {
    t = performance.now();
    const program = lowerDesignToProgram(design, model);
    times.program.push(performance.now() - t);
    t = performance.now();
    const golden = computeGoldenVectors(model, program, 2, 1);
    times.golden.push(performance.now() - t);
    t = performance.now();
    const hls = lowerProgramToHls(program, golden, {
      tool: 'vitis-hls-2023.2',
      toolVersion: 'bench',
      board: design.board,
      weights: 'random',
    });
    times.lowerHls.push(performance.now() - t);
    t = performance.now();
    const rendered = renderHls(hls);
    times.renderAll.push(performance.now() - t);
    t = performance.now();
    renderHls({ ...hls, files: hls.files.filter((f) => f.template === 'weights.h') });
    times.renderWeights.push(performance.now() - t);
    files = rendered.length;
    bytes = rendered.reduce((s, f) => s + f.content.length, 0);
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<keyof typeof times, number>;
  const total = m.program + m.lowerHls + m.renderAll;
  const withoutWeights = total - m.renderWeights;
  console.log(
    `network ${network.name}: ${network.layers.length} layers, ${design.accelerator.chunks.length} chunks, ${model.layers.reduce((s, l) => s + ('weights' in l ? l.weights.length : 0), 0)} weights; backend ${backend.name}`,
  );
  console.log(
    `lower + render (median of ${RUNS}): ${total.toFixed(0)} ms for ${files} files, ${(bytes / 1e6).toFixed(1)} MB — ${withoutWeights.toFixed(0)} ms without the weight headers (budget ≤ 1000 ms)`,
  );
  console.log(
    `  program ${m.program.toFixed(0)} ms, HLS lowering ${m.lowerHls.toFixed(0)} ms, rendering ${m.renderAll.toFixed(0)} ms (weight headers ${m.renderWeights.toFixed(0)} ms)`,
  );
  console.log(`golden model (2 images) ${m.golden.toFixed(0)} ms; random weights + integer model ${weightsMs.toFixed(0)} ms`);
  console.log(
    JSON.stringify({
      lowerRenderMs: Math.round(total),
      withoutWeightsMs: Math.round(withoutWeights),
      goldenMs: Math.round(m.golden),
      weightsMs: Math.round(weightsMs),
      files,
      megabytes: Number((bytes / 1e6).toFixed(2)),
      machine: machineLine(),
    }),
  );
}

await main();
