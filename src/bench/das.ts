/**
 * bench:das — does the differentiable accelerator search earn its keep?
 *  enumerable: a small MBConv network (test/fixtures/tiny-mbconv.network.json, 2 chunks) on
 *    Ultra96-V2 with a restricted option space small enough to enumerate (~2.7M valid designs).
 *    Exhaustive search gives the optimum; DAS and random search get the same budget (a fraction
 *    of the space's evaluations); medians over 5 seeds of their gap to the optimum's FPS.
 *  full: the 22-cell CIFAR fixture genotype (mixed 4/6/8-bit, 12 chunks) on ZC706 in the default
 *    space; DAS vs random at equal samples, medians over 5 seeds.
 * Last line: {"enumerable": {gapPct, randomGapPct, evalFraction}, "full": {dasFps, randomFps, samples}}.
 */
import { join } from 'node:path';
import { resolveBoard } from '../accel/boards.js';
import { exploreAccelerator, type ExploreOptions, type ExploreResult } from '../accel/explore.js';
import type { BoardSpec, DesignSpaceSpec } from '../accel/types.js';
import type { NetworkSpec } from '../core/network.js';
import { loadNetwork } from '../core/network-check.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { loadGenotype, lowerGenotypeToNetwork } from '../search/index.js';
import { machineLine } from './machine.js';

const SEEDS = [1, 2, 3, 4, 5];
const ENUM_FRACTION = Number(process.env.BENCH_DAS_FRACTION ?? 0.01);
const FULL_SAMPLES = Number(process.env.BENCH_DAS_SAMPLES ?? 10000);
const ENUM_SPACE: DesignSpaceSpec = {
  parallel: ['mn', 'mp'],
  loopOrder: ['os', 'ws'],
  tileM: [8, 16, 32],
  tileN: [8, 16, 32],
  tileR: [7, 14, 28],
  tileC: [7, 14],
  pe: [4, 8, 16, 32],
  portBits: [32, 64],
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, d = 2): number => Number(x.toFixed(d));

function utilisation(r: ExploreResult): string {
  const u = r.report.utilisation;
  return `DSP ${r.report.dsp} (${(u.dsp * 100).toFixed(0)}%), BRAM18 ${r.report.bram18} (${(u.bram18 * 100).toFixed(0)}%), LUT ${(u.lut * 100).toFixed(0)}%`;
}

function runSeeds(network: NetworkSpec, board: BoardSpec, base: Omit<ExploreOptions, 'seed' | 'strategy'>) {
  const out: Record<'differentiable' | 'random', ExploreResult[]> = { differentiable: [], random: [] };
  for (const strategy of ['differentiable', 'random'] as const) {
    for (const seed of SEEDS) out[strategy].push(exploreAccelerator(network, board, { ...base, strategy, seed }));
  }
  return out;
}

/** The result whose FPS is the median, to show its resources. */
function medianResult(results: ExploreResult[]): ExploreResult {
  const m = median(results.map((r) => r.report.fps));
  return results.find((r) => r.report.fps === m) ?? results[0];
}

function enumerable() {
  const network = loadNetwork(join(PACKAGE_ROOT, 'test/fixtures/tiny-mbconv.network.json'));
  const board = resolveBoard('ultra96v2');
  const base = { space: ENUM_SPACE, largeMapPixels: 1, samples: 0 };
  const t0 = performance.now();
  const exact = exploreAccelerator(network, board, { ...base, strategy: 'exhaustive', seed: 0 });
  const exhaustiveSeconds = (performance.now() - t0) / 1e3;
  const samples = Math.max(1, Math.floor(exact.spaceSize * ENUM_FRACTION));
  const runs = runSeeds(network, board, { ...base, samples });
  const gap = (r: ExploreResult) => ((exact.report.fps - r.report.fps) / exact.report.fps) * 100;
  const gaps = runs.differentiable.map(gap);
  const randomGaps = runs.random.map(gap);
  console.log(
    `enumerable: ${network.name} on ${board.name}, ${exact.spaceSize} valid designs, exhaustive ${exhaustiveSeconds.toFixed(1)} s`,
  );
  console.log(`  optimum ${exact.report.fps.toFixed(1)} FPS, ${utilisation(exact)}`);
  console.log(`  budget ${samples} samples (${(ENUM_FRACTION * 100).toFixed(1)}% of the space), 5 seeds`);
  console.log(
    `  DAS    gaps % ${gaps.map((g) => g.toFixed(2)).join(' ')}  median ${median(gaps).toFixed(2)}; ${utilisation(medianResult(runs.differentiable))}`,
  );
  console.log(
    `  random gaps % ${randomGaps.map((g) => g.toFixed(2)).join(' ')}  median ${median(randomGaps).toFixed(2)}; ${utilisation(medianResult(runs.random))}`,
  );
  return {
    gapPct: round(median(gaps)),
    randomGapPct: round(median(randomGaps)),
    evalFraction: round(samples / exact.spaceSize, 4),
    spaceSize: exact.spaceSize,
    optimumFps: round(exact.report.fps, 1),
  };
}

function full() {
  const { genotype, space } = loadGenotype(join(PACKAGE_ROOT, 'test/fixtures/cifar22-mixed.genotype.json'));
  const network = lowerGenotypeToNetwork(space, genotype, 'cifar22_mixed');
  const board = resolveBoard('zc706');
  const runs = runSeeds(network, board, { samples: FULL_SAMPLES });
  const das = runs.differentiable.map((r) => r.report.fps);
  const random = runs.random.map((r) => r.report.fps);
  // the authors' release: lr 1e-7 on the raw global cost — in effect best-of-N sampling
  const release = SEEDS.map(
    (seed) =>
      exploreAccelerator(network, board, { strategy: 'differentiable', samples: FULL_SAMPLES, seed, learningRate: 1e-7, globalCredit: 1 })
        .report.fps,
  );
  console.log(
    `full: ${network.name} (${network.layers.length} layers, ${runs.random[0].design.accelerator.chunks.length} chunks) on ${board.name}, ${FULL_SAMPLES} samples, 5 seeds`,
  );
  console.log(
    `  DAS    FPS ${das.map((f) => f.toFixed(1)).join(' ')}  median ${median(das).toFixed(1)}; ${utilisation(medianResult(runs.differentiable))}`,
  );
  console.log(
    `  random FPS ${random.map((f) => f.toFixed(1)).join(' ')}  median ${median(random).toFixed(1)}; ${utilisation(medianResult(runs.random))}`,
  );
  console.log(
    `  DAS with the release's lr 1e-7 and global cost: FPS ${release.map((f) => f.toFixed(1)).join(' ')}  median ${median(release).toFixed(1)}`,
  );
  return {
    dasFps: round(median(das), 1),
    randomFps: round(median(random), 1),
    samples: FULL_SAMPLES,
    releaseLrFps: round(median(release), 1),
  };
}

function main(): void {
  console.log(`machine: ${JSON.stringify(machineLine())}`);
  const e = enumerable();
  const f = full();
  console.log(JSON.stringify({ enumerable: e, full: f }));
}

main();
