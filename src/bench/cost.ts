/**
 * bench:cost — layer×design evaluations per second of the analytical cost model on one core
 * (Node runs the model on one thread). Designs are drawn by the random sampler on the 22-cell
 * CIFAR fixture network (mixed 4/6/8-bit, 12 chunks) for ZC706, then evaluated in a tight loop.
 * Last line: JSON with `evalsPerSec`. Reference: MAESTRO's C++ DSE publishes 0.17M designs/s.
 */
import { join } from 'node:path';
import { allocateChunks } from '../accel/allocate.js';
import { resolveBoard } from '../accel/boards.js';
import { sampleRandomDesigns } from '../accel/das.js';
import { buildOptionSpace, DEFAULT_DESIGN_SPACE } from '../accel/design-space.js';
import { evaluateDesign, newEvaluation } from '../accel/evaluate.js';
import { compileCostProblem } from '../accel/problem.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { loadGenotype, lowerGenotypeToNetwork } from '../search/index.js';
import { machineLine } from './machine.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

function main(): void {
  const { genotype, space } = loadGenotype(join(PACKAGE_ROOT, 'test/fixtures/cifar22-mixed.genotype.json'));
  const network = lowerGenotypeToNetwork(space, genotype, 'cifar22_mixed');
  const problem = compileCostProblem(network, allocateChunks(network), resolveBoard('zc706'));
  const designs = sampleRandomDesigns(buildOptionSpace(problem, DEFAULT_DESIGN_SPACE), 4096, 7);
  const ev = newEvaluation();
  let sink = 0;
  // warm up the JIT before timing
  for (let i = 0; i < 20000; i++) sink += evaluateDesign(problem, designs[i & 4095], ev).bottleneckCycles;
  let evaluated = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(SECONDS * 1e9));
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 4096; i++) sink += evaluateDesign(problem, designs[i], ev).bottleneckCycles;
    evaluated += 4096;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const layers = problem.layers.length;
  const designsPerSec = evaluated / seconds;
  const evalsPerSec = designsPerSec * layers;
  console.log(`network ${network.name}: ${layers} layers in ${problem.chunks.length} chunks, board zc706`);
  console.log(
    `${evaluated} designs in ${seconds.toFixed(2)} s: ${(designsPerSec / 1e3).toFixed(1)}k designs/s, ${(evalsPerSec / 1e6).toFixed(2)}M layer×design evaluations/s (one core)`,
  );
  console.log(`MAESTRO (published, C++): 0.17M designs/s; target here ≥ 1M layer×design evaluations/s`);
  console.log(
    JSON.stringify({
      evalsPerSec: Math.round(evalsPerSec),
      designsPerSec: Math.round(designsPerSec),
      layers,
      chunks: problem.chunks.length,
      seconds: Number(seconds.toFixed(2)),
      machine: machineLine(),
      checksum: sink > 0,
    }),
  );
}

main();
