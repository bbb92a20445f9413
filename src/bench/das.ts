/**
 * bench:das — does the differentiable accelerator search earn its keep?
 *  enumerable: a small MBConv network (test/fixtures/tiny-mbconv.network.json, 2 chunks) on
 *    Ultra96-V2 with a restricted option space small enough to enumerate (~2.7M valid designs).
 *    Exhaustive search gives the optimum; DAS and random search get the same budget (a fraction
 *    of the space's evaluations); medians over 5 seeds of their gap to the optimum's FPS.
 *  full: the 22-cell CIFAR fixture genotype (mixed 4/6/8-bit, 12 chunks) on ZC706, and the same
 *    cells in the 22-cell ImageNet space (224×224, test/fixtures/imagenet22-mixed.genotype.json)
 *    on ZCU102, in the default space; medians over 5 seeds at equal samples.
 * Every budget is run by DAS as `explore` runs it (its best design refined by annealing on half
 * the samples, explore.ts), by DAS alone (the method's), and by the usual black-box DSE
 * baselines over the same space and cost (accel/metaheuristics.ts): random sampling, simulated
 * annealing, a genetic algorithm. Last line: {"enumerable": {gapPct, dasAloneGapPct,
 * randomGapPct, annealingGapPct, geneticGapPct, evalFraction, …}, "full": {dasFps, dasAloneFps,
 * randomFps, annealingFps, geneticFps, samples, releaseLrFps}, "imagenet": {…}}.
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

/** DAS as `explore` runs it (refining its best design on half the samples), DAS alone (the method's), and the baselines. */
const COMPARED = ['das', 'dasAlone', 'random', 'annealing', 'genetic'] as const;
type Compared = (typeof COMPARED)[number];
const RUN: Record<Compared, Pick<ExploreOptions, 'strategy' | 'refine'>> = {
  das: { strategy: 'differentiable' },
  dasAlone: { strategy: 'differentiable', refine: 0 },
  random: { strategy: 'random' },
  annealing: { strategy: 'annealing' },
  genetic: { strategy: 'genetic' },
};
const LABEL: Record<Compared, string> = {
  das: 'DAS+refine',
  dasAlone: 'DAS alone ',
  random: 'random    ',
  annealing: 'annealing ',
  genetic: 'genetic   ',
};

function runSeeds(network: NetworkSpec, board: BoardSpec, base: Omit<ExploreOptions, 'seed' | 'strategy'>) {
  const out = Object.fromEntries(COMPARED.map((s) => [s, [] as ExploreResult[]])) as Record<Compared, ExploreResult[]>;
  for (const compared of COMPARED) {
    for (const seed of SEEDS) out[compared].push(exploreAccelerator(network, board, { ...base, ...RUN[compared], seed }));
  }
  return out;
}

/** One line per strategy: the FPS of each seed, the median, and the median design's resources. */
function printFps(runs: Record<Compared, ExploreResult[]>): Record<Compared, number> {
  const medians = {} as Record<Compared, number>;
  for (const s of COMPARED) {
    const fps = runs[s].map((r) => r.report.fps);
    medians[s] = median(fps);
    console.log(
      `  ${LABEL[s]} FPS ${fps.map((f) => f.toFixed(1)).join(' ')}  median ${medians[s].toFixed(1)}; ${utilisation(medianResult(runs[s]))}`,
    );
  }
  return medians;
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
  console.log(
    `enumerable: ${network.name} on ${board.name}, ${exact.spaceSize} valid designs, exhaustive ${exhaustiveSeconds.toFixed(1)} s`,
  );
  console.log(`  optimum ${exact.report.fps.toFixed(1)} FPS, ${utilisation(exact)}`);
  console.log(`  budget ${samples} samples (${(ENUM_FRACTION * 100).toFixed(1)}% of the space), 5 seeds`);
  const gaps = {} as Record<Compared, number>;
  for (const s of COMPARED) {
    const g = runs[s].map(gap);
    gaps[s] = median(g);
    console.log(
      `  ${LABEL[s]} gaps % ${g.map((x) => x.toFixed(2)).join(' ')}  median ${gaps[s].toFixed(2)}; ${utilisation(medianResult(runs[s]))}`,
    );
  }
  return {
    gapPct: round(gaps.das),
    dasAloneGapPct: round(gaps.dasAlone),
    randomGapPct: round(gaps.random),
    annealingGapPct: round(gaps.annealing),
    geneticGapPct: round(gaps.genetic),
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
  console.log(
    `full: ${network.name} (${network.layers.length} layers, ${runs.random[0].design.accelerator.chunks.length} chunks) on ${board.name}, ${FULL_SAMPLES} samples, 5 seeds`,
  );
  const medians = printFps(runs);
  // the authors' release: lr 1e-7 on the raw global cost — in effect best-of-N sampling
  const release = SEEDS.map(
    (seed) =>
      exploreAccelerator(network, board, {
        strategy: 'differentiable',
        samples: FULL_SAMPLES,
        seed,
        learningRate: 1e-7,
        globalCredit: 1,
        refine: 0,
      }).report.fps,
  );
  console.log(
    `  DAS with the release's lr 1e-7 and global cost: FPS ${release.map((f) => f.toFixed(1)).join(' ')}  median ${median(release).toFixed(1)}`,
  );
  return { ...fpsFields(medians), samples: FULL_SAMPLES, releaseLrFps: round(median(release), 1) };
}

function imagenet() {
  const { genotype, space } = loadGenotype(join(PACKAGE_ROOT, 'test/fixtures/imagenet22-mixed.genotype.json'));
  const network = lowerGenotypeToNetwork(space, genotype, 'imagenet22_mixed');
  const board = resolveBoard('zcu102');
  const runs = runSeeds(network, board, { samples: FULL_SAMPLES });
  console.log(
    `imagenet: ${network.name} (${network.layers.length} layers, ${runs.random[0].design.accelerator.chunks.length} chunks) on ${board.name}, ${FULL_SAMPLES} samples, 5 seeds`,
  );
  return { ...fpsFields(printFps(runs)), samples: FULL_SAMPLES };
}

function fpsFields(m: Record<Compared, number>) {
  return {
    dasFps: round(m.das, 1),
    dasAloneFps: round(m.dasAlone, 1),
    randomFps: round(m.random, 1),
    annealingFps: round(m.annealing, 1),
    geneticFps: round(m.genetic, 1),
  };
}

function main(): void {
  console.log(`machine: ${JSON.stringify(machineLine())}`);
  const e = enumerable();
  const f = full();
  const i = imagenet();
  console.log(JSON.stringify({ enumerable: e, full: f, imagenet: i }));
}

main();
