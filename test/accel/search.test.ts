/**
 * The accelerator searches (exhaustive, DAS, random, annealing, genetic) on one small, enumerable problem: the fmnist space with every
 * cell `skip` at 8 bits (two chunks: the 28×28 stem, and the 14×14/7×7 skip convs, head, pool
 * and fc) on the ZC706, and a restricted option list of ~6·10^4 designs.
 * Every design a search evaluates is recorded by wrapping evaluateDesign, so the tests can see
 * the samples themselves, not only the best one.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { allocateChunks } from '../../src/accel/allocate.js';
import { PARAM_SIZE, P_PEM, P_PEN } from '../../src/accel/cost-model.js';
import { searchBySampling, sampleCost, type LogitTable, type SearchOutcome } from '../../src/accel/das.js';
import { buildOptionSpace, countDesigns, paramName } from '../../src/accel/design-space.js';
import { estimateCost } from '../../src/accel/estimate.js';
import { FEASIBLE, INFEASIBLE_PE_OVER_TILE, peOverTile } from '../../src/accel/evaluate.js';
import { searchExhaustive } from '../../src/accel/exhaustive.js';
import { DAS_REFINE_SHARE, exploreAccelerator } from '../../src/accel/explore.js';
import { refineByAnnealing, searchByAnnealing, searchByGenetic } from '../../src/accel/metaheuristics.js';
import { compileCostProblem } from '../../src/accel/problem.js';
import type { DesignSpaceSpec } from '../../src/accel/types.js';
import { lowerGenotypeToNetwork } from '../../src/search/lower-genotype.js';
import { FMNIST_SPACE } from '../../src/search/spaces.js';
import { ZC706 } from './helpers.js';

interface Sample {
  readonly params: Float64Array;
  readonly status: number;
  readonly cycles: number;
}
const recorder = vi.hoisted(() => ({ on: false, samples: [] as { params: Float64Array; status: number; cycles: number }[] }));

vi.mock('../../src/accel/evaluate.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/accel/evaluate.js')>();
  return {
    ...actual,
    evaluateDesign: (...args: Parameters<typeof actual.evaluateDesign>) => {
      const ev = actual.evaluateDesign(...args);
      if (recorder.on) recorder.samples.push({ params: args[1].slice(), status: ev.status, cycles: ev.bottleneckCycles });
      return ev;
    },
  };
});

function recording<T>(run: () => T): { result: T; samples: Sample[] } {
  recorder.samples = [];
  recorder.on = true;
  try {
    return { result: run(), samples: recorder.samples };
  } finally {
    recorder.on = false;
  }
}

const cells = Array.from({ length: 8 }, () => ({ op: 'skip', bits: 8 }));
const net = lowerGenotypeToNetwork(FMNIST_SPACE, { version: 1, space: 'fmnist', cells });
const problem = compileCostProblem(net, allocateChunks(net), ZC706);
const SPACE: DesignSpaceSpec = {
  parallel: ['mn', 'mp'],
  loopOrder: ['os', 'ws'],
  tileM: [8, 64],
  tileN: [8, 64],
  tileR: [14],
  tileC: [7, 14],
  pe: [8, 32, 64],
  portBits: [64, 256],
};
const options = buildOptionSpace(problem, SPACE);
const total = countDesigns(options);
const exhaustive = recording(() => searchExhaustive(problem, options));
const optimum = exhaustive.result.bestEvaluation?.bottleneckCycles ?? NaN;

const bestOf = (o: SearchOutcome): number => o.bestEvaluation?.bottleneckCycles ?? Infinity;
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const das = (seed: number, samples: number, initialLogits?: LogitTable) =>
  searchBySampling(problem, options, { samples, seed, initialLogits });
const random = (seed: number, samples: number) => searchBySampling(problem, options, { samples, seed, learningRate: 0 });

/** Every sampled parameter is one of its options, and no PE unroll exceeds its tile. */
function expectInSpace(samples: readonly Sample[]): void {
  const bad = samples.filter(
    (s) =>
      peOverTile(s.params, 0) ||
      peOverTile(s.params, 1) ||
      s.status === INFEASIBLE_PE_OVER_TILE ||
      s.params.some((v, k) => !options.values[k].includes(v)),
  );
  expect(bad.map((s) => Array.from(s.params))).toEqual([]);
}

beforeEach(() => {
  recorder.on = false;
});

describe('the problem', () => {
  it('has two chunks and a restricted space of 10^4–10^5 designs, mostly feasible', () => {
    expect(problem.chunks.map((c) => c.id)).toEqual(['conv_large_b8', 'conv_small_b8']);
    expect(total).toBeGreaterThanOrEqual(1e4);
    expect(total).toBeLessThanOrEqual(1e5);
    const feasible = exhaustive.result.feasibleSamples / total;
    // PE 64×64 (2052 DSP) cannot fit 900 DSP; small arrays always do
    expect(feasible).toBeGreaterThan(0.5);
    expect(feasible).toBeLessThan(1);
  });
});

describe('exhaustive search', () => {
  it('evaluates exactly countDesigns() distinct designs, all inside the space', () => {
    const { samples, result } = exhaustive;
    expect(result.evaluations).toBe(total);
    expect(samples.length).toBe(total);
    expect(new Set(samples.map((s) => s.params.join(','))).size).toBe(total);
    expectInSpace(samples);
    expect(result.feasibleSamples).toBe(samples.filter((s) => s.status === FEASIBLE).length);
    // its optimum is the smallest feasible bottleneck among everything it evaluated
    expect(optimum).toBe(samples.reduce((m, s) => (s.status === FEASIBLE && s.cycles < m ? s.cycles : m), Infinity));
    expect(result.best && estimateCost(problem, result.best).bottleneckCycles).toBe(optimum);
  });
});

describe('DAS and random sampling', () => {
  it('sample only inside the space (PE ≤ tile), and never beat the exhaustive optimum', () => {
    for (const seed of [1, 2, 3]) {
      for (const run of [() => das(seed, 400), () => random(seed, 400)]) {
        const { result, samples } = recording(run);
        expect(samples.length).toBe(400);
        expectInSpace(samples);
        expect(result.feasibleSamples).toBe(samples.filter((s) => s.status === FEASIBLE).length);
        expect(result.feasibleSamples / 400).toBeGreaterThan(0.5);
        expect(result.best).not.toBeNull();
        expect(bestOf(result)).toBeGreaterThanOrEqual(optimum);
        expect(result.best && estimateCost(problem, result.best).feasible).toBe(true);
      }
    }
  });

  it('DAS with a fixed seed is deterministic', () => {
    const a = das(7, 300);
    const b = das(7, 300);
    expect(b.best).toEqual(a.best);
    expect(b.trace).toEqual(a.trace);
    expect(b.logits).toEqual(a.logits);
    expect(das(8, 300).logits).not.toEqual(a.logits);
  });

  it('beats random sampling at equal samples over 5 seeds (mean; the median no worse)', () => {
    const seeds = [1, 2, 3, 4, 5];
    const dasBest = seeds.map((s) => bestOf(das(s, 1000)));
    const randomBest = seeds.map((s) => bestOf(random(s, 1000)));
    // on the model with the 7-stage output path (2026-12-03): DAS 13210, 14093, 14093, 13210,
    // 14093 against random 13210, 14966, 15264, 14093, 13215 — the medians tie at 14093, DAS's
    // mean is 3 % lower and it is no worse on four seeds of five
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(median(dasBest)).toBeLessThanOrEqual(median(randomBest));
    expect(mean(dasBest)).toBeLessThan(mean(randomBest));
    // and lands within 10% of the exhaustive optimum in the median
    expect(median(dasBest)).toBeLessThanOrEqual(1.1 * optimum);
  });

  it('warm-started from its own final logits, starts from a better first batch and leads after 100 samples', () => {
    // Not asserted: that the warm run ends at least as good as the run it continues. It need
    // not — the final logits can sit on a worse mode than that run's best design (seed 5).
    const seeds = [1, 2, 3, 4, 5];
    const warm100: number[] = [];
    const scratch100: number[] = [];
    for (const seed of seeds) {
      const { logits } = das(seed, 1000);
      const warm = recording(() => das(seed + 100, 100, logits));
      const scratch = recording(() => das(seed + 100, 100));
      // the first batch (8 samples, drawn before any update) comes from the learned distribution
      const firstBatch = (s: readonly Sample[]) => median(s.slice(0, 8).map((x) => x.cycles));
      expect(firstBatch(warm.samples)).toBeLessThan(firstBatch(scratch.samples));
      warm100.push(bestOf(warm.result));
      scratch100.push(bestOf(scratch.result));
    }
    expect(median(warm100)).toBeLessThan(median(scratch100));
  });
});

describe('simulated annealing and the genetic algorithm (the black-box baselines)', () => {
  const annealing = (seed: number, samples: number) => searchByAnnealing(problem, options, { samples, seed });
  const genetic = (seed: number, samples: number) => searchByGenetic(problem, options, { samples, seed });

  it.each([
    ['annealing', annealing],
    ['genetic', genetic],
  ])('%s evaluates exactly its budget, only inside the space, deterministically, never past the optimum', (_, search) => {
    for (const seed of [1, 2]) {
      const { result, samples } = recording(() => search(seed, 500));
      expect(samples.length).toBe(500);
      expect(result.evaluations).toBe(500);
      expectInSpace(samples);
      expect(result.feasibleSamples).toBe(samples.filter((x) => x.status === FEASIBLE).length);
      expect(bestOf(result)).toBeGreaterThanOrEqual(optimum);
      expect(result.best && estimateCost(problem, result.best).bottleneckCycles).toBe(bestOf(result));
      // the trace only improves, and ends at the best
      expect(result.trace.every(([, c], i) => i === 0 || c < result.trace[i - 1][1])).toBe(true);
      expect(result.trace.at(-1)?.[1]).toBe(bestOf(result));
    }
    expect(search(3, 300).best).toEqual(search(3, 300).best);
    expect(recording(() => search(3, 300)).samples.map((x) => x.cycles)).not.toEqual(
      recording(() => search(4, 300)).samples.map((x) => x.cycles),
    );
  });

  it('both search: better than random sampling and within 10 % of the optimum in the median of 5 seeds at 1000 samples', () => {
    const seeds = [1, 2, 3, 4, 5];
    const randomBest = median(seeds.map((x) => bestOf(random(x, 1000))));
    for (const search of [annealing, genetic]) {
      const best = median(seeds.map((x) => bestOf(search(x, 1000))));
      expect(best).toBeLessThanOrEqual(randomBest);
      expect(best).toBeLessThanOrEqual(1.1 * optimum);
    }
  });
});

describe('DAS refined by annealing (what explore runs)', () => {
  it('refineByAnnealing: exactly its budget, inside the space, never worse than its start, deterministic', () => {
    const start = das(1, 200).best as Float64Array;
    const startCycles = estimateCost(problem, start).bottleneckCycles;
    const { result, samples } = recording(() => refineByAnnealing(problem, options, start, { samples: 300, seed: 5 }));
    expect(samples.length).toBe(300);
    expect(Array.from(samples[0].params)).toEqual(Array.from(start));
    expectInSpace(samples);
    expect(bestOf(result)).toBeLessThanOrEqual(startCycles);
    expect(bestOf(result)).toBeGreaterThanOrEqual(optimum);
    expect(refineByAnnealing(problem, options, start, { samples: 300, seed: 5 }).best).toEqual(result.best);
  });

  it('a proposal draws the new value by its weights: with weight on the first two options only, no other value appears', () => {
    // every parameter at its last option; PE parameters are repaired to their limits, so only the others are checked
    const start = Float64Array.from(options.values, (v) => v[v.length - 1]);
    const proposal = options.values.map((v) => Float64Array.from(v, (_, i) => (i < 2 ? 1 : 0)));
    const { samples } = recording(() => refineByAnnealing(problem, options, start, { samples: 300, seed: 2, proposal }));
    const seen = samples.flatMap((x) => Array.from(x.params).map((v, k) => ({ v, k })));
    const stray = seen.filter(({ v, k }) => {
      const j = k % PARAM_SIZE;
      return j !== P_PEM && j !== P_PEN && v !== start[k] && !options.values[k].slice(0, 2).includes(v);
    });
    expect(stray).toEqual([]);
    // and it does move: some parameter left its start
    expect(seen.some(({ v, k }) => v !== start[k])).toBe(true);
  });

  it('explore: DAS on half the samples, annealing from its best on the rest; refine 0 is the method’s DAS alone', () => {
    const explore = (refine?: number) =>
      exploreAccelerator(net, ZC706, { strategy: 'differentiable', samples: 600, seed: 3, space: SPACE, refine });
    const refined = recording(() => explore());
    expect(DAS_REFINE_SHARE).toBe(0.5);
    // 600 samples, then explore's cost report of the best design
    expect(refined.samples.length).toBe(601);
    expect(refined.result.outcome.evaluations).toBe(600);
    expect(refined.result.design.explore).toMatchObject({ strategy: 'differentiable', samples: 600, refine: 0.5 });
    expectInSpace(refined.samples);
    // the refinement starts from DAS's best of its 300 samples and keeps it when nothing beats it
    const first = das(3, 300);
    expect(bestOf(refined.result.outcome)).toBeLessThanOrEqual(bestOf(first));
    expect(Array.from(refined.samples[300].params)).toEqual(Array.from(first.best ?? []));
    const trace = refined.result.outcome.trace;
    expect(trace.every(([i, c], n) => n === 0 || (c < trace[n - 1][1] && i > trace[n - 1][0]))).toBe(true);
    expect(trace.at(-1)?.[1]).toBe(bestOf(refined.result.outcome));
    expect(refined.result.outcome.logits).toEqual(first.logits);
    const alone = explore(0).outcome;
    expect(alone.best).toEqual(das(3, 600).best);
    expect(alone.evaluations).toBe(600);
  });
});

describe('the relaxation at one-hot points', () => {
  /** Logits of 1000 on option `pick[j]` of every parameter, 0 elsewhere (Gumbel noise is < 30). */
  function oneHot(pick: (values: readonly number[], j: number) => number): { table: LogitTable; design: Float64Array } {
    const table: Record<string, Record<string, number[]>> = {};
    const design = new Float64Array(options.values.length);
    problem.chunks.forEach((chunk, c) => {
      table[chunk.id] = {};
      for (let j = 0; j < PARAM_SIZE; j++) {
        const values = options.values[c * PARAM_SIZE + j];
        const i = pick(values, j);
        table[chunk.id][paramName(j)] = values.map((_, k) => (k === i ? 1000 : 0));
        design[c * PARAM_SIZE + j] = values[i];
      }
    });
    return { table, design };
  }

  // mp, ws, the largest tiles M, N and C, the smallest R, PE 8×8, the narrowest port
  const pickA = (values: readonly number[], j: number): number =>
    j <= 1 ? 1 : j === 4 || j === 8 ? 0 : j >= 6 ? values.indexOf(8) : values.length - 1;
  // mn, os, the smallest tiles and PE, the widest port
  const pickB = (values: readonly number[], j: number): number => (j === 8 ? values.length - 1 : 0);

  it.each([
    ['mp/ws/PE 8×8', pickA],
    ['mn/os/smallest', pickB],
  ])('%s: every sample is that design and its cost is estimateCost on it', (_, pick) => {
    const { table, design } = oneHot(pick);
    for (const lr of [undefined, 0]) {
      const { result, samples } = recording(() =>
        searchBySampling(problem, options, { samples: 24, seed: 3, initialLogits: table, learningRate: lr }),
      );
      expect(samples.length).toBe(24);
      for (const s of samples) expect(Array.from(s.params)).toEqual(Array.from(design));
      const report = estimateCost(problem, design);
      expect(report.feasible).toBe(true);
      expect(Array.from(result.best ?? [])).toEqual(Array.from(design));
      expect(result.bestEvaluation?.bottleneckCycles).toBe(report.bottleneckCycles);
      expect(result.bestEvaluation?.latencyCycles).toBe(report.latencyCycles);
      expect([result.bestEvaluation?.dsp, result.bestEvaluation?.bram18]).toEqual([report.dsp, report.bram18]);
      // the loss the relaxation minimises is the log of the cost model's bottleneck
      expect(result.bestEvaluation && sampleCost(result.bestEvaluation, 'fps')).toBe(Math.log(report.bottleneckCycles));
      expect(result.trace).toEqual([[0, report.bottleneckCycles]]);
    }
  });
});
