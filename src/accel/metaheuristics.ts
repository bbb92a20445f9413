/**
 * The usual black-box baselines of accelerator design-space exploration, over exactly the space
 * and cost DAS searches (design-space.ts, das.ts `sampleCost`): simulated annealing and a
 * genetic algorithm. In: a compiled cost problem, its option space, a sample budget and a seed.
 * Out: the same `SearchOutcome` as DAS and random search. What stays true: every design they
 * evaluate respects the PE limits (peM ≤ tileM, peN ≤ its tile and cap), each evaluation counts
 * as one sample, and the same seed gives the same search.
 */
import { Rng } from '../core/random.js';
import { PARAM_SIZE, P_PEM, P_PEN, P_TM } from './cost-model.js';
import { sampleCost, sampleRandomDesigns, type Objective, type SearchOutcome } from './das.js';
import { type ChunkOptionSpace, peNLimit } from './design-space.js';
import { evaluateDesign, FEASIBLE, newEvaluation, snapshotEvaluation, type DesignEvaluation } from './evaluate.js';
import type { CostProblem } from './problem.js';

export interface MetaheuristicOptions {
  readonly samples: number;
  readonly seed: number;
  readonly objective?: Objective;
  /**
   * Per parameter (flat index), a weight per option for the new value a move draws — the
   * refinement's DAS distribution; uniform over the allowed options when absent.
   */
  readonly proposal?: readonly Float64Array[];
  readonly onProgress?: (done: number, total: number, bestCycles: number) => void;
}

/**
 * Simulated annealing: one or two parameters of the current design changed per move, accepted
 * by the Metropolis rule on the log-cost, the temperature falling geometrically from
 * `T0` to `T1` over the budget; restarts from the best design after `RESTART` moves without an
 * improvement. Temperatures are in log-cycles (0.3: a 35 % worse design is accepted one time in e).
 */
const ANNEALING = { t0: 0.3, t1: 0.003, twoParameterMoves: 0.3, restart: 400 } as const;

/**
 * Genetic algorithm: a population of 32, tournaments of 3, uniform crossover per parameter
 * (probability 0.9 per child), each parameter mutated with probability 1.5 / (number of
 * parameters), 2 elites kept; the first generation from the uniform sampler.
 */
const GENETIC = { population: 32, tournament: 3, crossover: 0.9, mutation: 1.5, elites: 2 } as const;

/** Book-keeping every search shares: evaluations, feasible samples, the best design and its trace. */
class Tracker {
  readonly ev: DesignEvaluation;
  best: Float64Array | null = null;
  bestEvaluation: DesignEvaluation | null = null;
  bestCycles = Infinity;
  feasibleSamples = 0;
  done = 0;
  readonly trace: [number, number][] = [];

  constructor(
    private readonly problem: CostProblem,
    private readonly opts: MetaheuristicOptions,
    chunks: number,
  ) {
    this.ev = newEvaluation(chunks);
  }

  get exhausted(): boolean {
    return this.done >= this.opts.samples;
  }

  /** Evaluate one design (one sample); returns its cost (log objective, penalised when infeasible). */
  evaluate(params: Float64Array): number {
    const objective = this.opts.objective ?? 'fps';
    evaluateDesign(this.problem, params, this.ev);
    if (this.ev.status === FEASIBLE) {
      this.feasibleSamples++;
      const cycles = objective === 'fps' ? this.ev.bottleneckCycles : this.ev.latencyCycles;
      if (cycles < this.bestCycles) {
        this.bestCycles = cycles;
        this.best = params.slice();
        this.bestEvaluation = snapshotEvaluation(this.ev);
        this.trace.push([this.done, cycles]);
      }
    }
    this.done++;
    if (this.done % 64 === 0 || this.exhausted) this.opts.onProgress?.(this.done, this.opts.samples, this.bestCycles);
    return sampleCost(this.ev, objective);
  }

  outcome(): SearchOutcome {
    return {
      best: this.best,
      bestEvaluation: this.bestEvaluation,
      evaluations: this.done,
      feasibleSamples: this.feasibleSamples,
      trace: this.trace,
    };
  }
}

/** The options parameter `k` may take in `params` (PE options: those within their limits). */
function allowedOptions(options: ChunkOptionSpace, params: Float64Array, k: number): readonly number[] {
  const c = Math.floor(k / PARAM_SIZE);
  const j = k % PARAM_SIZE;
  const values = options.values[k];
  if (j !== P_PEM && j !== P_PEN) return values;
  const cap = j === P_PEM ? params[c * PARAM_SIZE + P_TM] : peNLimit(options, params, c);
  const allowed = values.filter((v) => v <= cap);
  return allowed.length > 0 ? allowed : [values[0]];
}

/**
 * Set parameter `k` to another allowed option where there is a choice: drawn uniformly, or with
 * `weights` (one per option of the parameter) when given.
 */
function mutate(options: ChunkOptionSpace, params: Float64Array, k: number, rng: Rng, weights?: Float64Array): void {
  const values = allowedOptions(options, params, k);
  const current = values.indexOf(params[k]);
  if (values.length < 2 && current >= 0) return;
  const others = current < 0 ? values : values.filter((_, i) => i !== current);
  if (!weights) {
    params[k] = others[rng.int(others.length)];
    return;
  }
  const all = options.values[k];
  let total = 0;
  for (const v of others) total += weights[all.indexOf(v)];
  let u = rng.next() * total;
  for (const v of others) {
    u -= weights[all.indexOf(v)];
    if (u <= 0) {
      params[k] = v;
      return;
    }
  }
  params[k] = others[others.length - 1];
}

/** Bring each chunk's PE options back within their limits (the largest allowed option at or below the one drawn). */
function repair(options: ChunkOptionSpace, params: Float64Array): void {
  for (let c = 0; c < options.chunks; c++) {
    for (const j of [P_PEM, P_PEN]) {
      const k = c * PARAM_SIZE + j;
      const allowed = allowedOptions(options, params, k);
      if (!allowed.includes(params[k])) params[k] = Math.max(...allowed.filter((v) => v <= params[k]), allowed[0]);
    }
  }
}

/**
 * [ours] DAS's refinement (explore.ts): annealing that starts from DAS's best design, cooler
 * than the search from scratch — its start is already good, so only changes that keep most of
 * it are worth accepting (0.15: a 16 % worse design is accepted one time in e).
 */
const REFINING = { ...ANNEALING, t0: 0.15 } as const;

type AnnealingSchedule = typeof ANNEALING | typeof REFINING;

/** Annealing from `start` with `schedule`, for the rest of the budget. */
function anneal(
  problem: CostProblem,
  options: ChunkOptionSpace,
  opts: MetaheuristicOptions,
  start: Float64Array,
  schedule: AnnealingSchedule,
): SearchOutcome {
  const rng = new Rng(opts.seed);
  const track = new Tracker(problem, opts, options.chunks);
  const nParams = options.chunks * PARAM_SIZE;
  let current = start.slice();
  repair(options, current);
  let currentCost = track.evaluate(current);
  let bestCost = currentCost;
  let bestAt = current.slice();
  let sinceBest = 0;
  const moves = Math.max(1, opts.samples - 1);
  for (let m = 0; !track.exhausted; m++) {
    const t = schedule.t0 * (schedule.t1 / schedule.t0) ** (m / moves);
    const next = current.slice();
    const changes = rng.next() < schedule.twoParameterMoves ? 2 : 1;
    for (let i = 0; i < changes; i++) {
      const k = rng.int(nParams);
      mutate(options, next, k, rng, opts.proposal?.[k]);
    }
    repair(options, next);
    const cost = track.evaluate(next);
    if (cost <= currentCost || rng.next() < Math.exp((currentCost - cost) / t)) {
      current = next;
      currentCost = cost;
    }
    if (cost < bestCost) {
      bestCost = cost;
      bestAt = next.slice();
      sinceBest = 0;
    } else if (++sinceBest >= schedule.restart) {
      current = bestAt.slice();
      currentCost = bestCost;
      sinceBest = 0;
    }
  }
  return track.outcome();
}

export function searchByAnnealing(problem: CostProblem, options: ChunkOptionSpace, opts: MetaheuristicOptions): SearchOutcome {
  return anneal(problem, options, opts, sampleRandomDesigns(options, 1, opts.seed ^ 0x5a5a)[0], ANNEALING);
}

/** Cool annealing from `start` (DAS's best design): `opts.samples` evaluations, the start's included. */
export function refineByAnnealing(
  problem: CostProblem,
  options: ChunkOptionSpace,
  start: Float64Array,
  opts: MetaheuristicOptions,
): SearchOutcome {
  return anneal(problem, options, opts, start, REFINING);
}

export function searchByGenetic(problem: CostProblem, options: ChunkOptionSpace, opts: MetaheuristicOptions): SearchOutcome {
  const rng = new Rng(opts.seed);
  const track = new Tracker(problem, opts, options.chunks);
  const nParams = options.chunks * PARAM_SIZE;
  const size = Math.max(2, Math.min(GENETIC.population, opts.samples));
  let population = sampleRandomDesigns(options, size, opts.seed ^ 0x3c3c).map((params) => ({ params, cost: 0 }));
  for (const individual of population) {
    if (track.exhausted) return track.outcome();
    individual.cost = track.evaluate(individual.params);
  }
  const select = () => {
    let winner = population[rng.int(population.length)];
    for (let i = 1; i < GENETIC.tournament; i++) {
      const other = population[rng.int(population.length)];
      if (other.cost < winner.cost) winner = other;
    }
    return winner.params;
  };
  const mutationRate = Math.min(1, GENETIC.mutation / nParams);
  while (!track.exhausted) {
    const ranked = [...population].sort((a, b) => a.cost - b.cost);
    const next = ranked.slice(0, GENETIC.elites);
    while (next.length < size && !track.exhausted) {
      const a = select();
      const b = select();
      const child = a.slice();
      if (rng.next() < GENETIC.crossover) for (let k = 0; k < nParams; k++) if (rng.next() < 0.5) child[k] = b[k];
      let mutated = false;
      for (let k = 0; k < nParams; k++) {
        if (rng.next() < mutationRate) {
          mutate(options, child, k, rng);
          mutated = true;
        }
      }
      if (!mutated) mutate(options, child, rng.int(nParams), rng);
      repair(options, child);
      next.push({ params: child, cost: track.evaluate(child) });
    }
    population = next;
  }
  return track.outcome();
}
