/**
 * bench:search — does the co-search beat its alternatives at the same FPS? On Fashion-MNIST
 * with the `study` preset (ZC706), for two FPS windows × three seeds:
 *  - co-search: the joint search of network, precision and accelerator in the window;
 *  - fixed accelerator: hardware-aware NAS on the accelerator DAS finds for the warm-up path,
 *    then kept (`--hw-search once`), in the same window;
 *  - accuracy-only: λ = 0, the accelerator searched afterwards by DAS (one point per seed).
 * Every derived network is retrained from scratch with the same budget (`trips-hw train`), and
 * each point is (test accuracy of the retrained fake-quantised network, FPS of its design).
 *
 * Matched FPS: at each window, the target is the mean FPS the co-search reached there; a
 * method's accuracy at a target, per seed, is that of its most accurate network at least as
 * fast (5 % slack) — the step-shaped front of what it can deliver at that speed — and the
 * table gives the mean and spread over seeds (a seed with no network that fast counts as none).
 *
 * Each run goes to RUNS_DIR/<name> (default runs/search-experiment) and is resumed when the
 * script is started again. Environment: RUNS_DIR, SEEDS (default 1,2,3), RETRAIN_EPOCHS
 * (default: the preset's), JOBS (runs at a time, default one per core, each with cores / JOBS
 * replicas). Last line: {"matched": [{window, targetFps, methods: {name: {mean,
 * sd, n}}}], "runs": [...], "verdict", "machine"}.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { writeJsonAtomic } from '../core/files.js';
import { inParallel } from '../core/parallel.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { RUN_FILES, STAGE_FILES } from '../core/run-layout.js';
import { PRESETS } from '../search/presets.js';
import { machineLine } from './machine.js';
import type { BaselinePoint } from '../report/data.js';

export type Method = 'co-search' | 'fixed-accelerator' | 'accuracy-only';
export const METHODS: readonly Method[] = ['co-search', 'fixed-accelerator', 'accuracy-only'];
const WINDOWS = ['12000:16000', '20000:28000'] as const;
const PRESET = 'study';

export interface RunSpec {
  readonly name: string;
  readonly method: Method;
  readonly window: string | null;
  readonly seed: number;
  readonly flags: readonly string[];
}

export function runSpecs(seeds: readonly number[]): RunSpec[] {
  return seeds.flatMap((seed) => [
    ...WINDOWS.flatMap((window) => [
      { name: `co-${window.replace(':', '-')}-s${seed}`, method: 'co-search' as const, window, seed, flags: ['--fps-window', window] },
      {
        name: `fixed-${window.replace(':', '-')}-s${seed}`,
        method: 'fixed-accelerator' as const,
        window,
        seed,
        flags: ['--fps-window', window, '--hw-search', 'once'],
      },
    ]),
    { name: `acc-only-s${seed}`, method: 'accuracy-only' as const, window: null, seed, flags: ['--lambda', '0'] },
  ]);
}

export interface Point {
  readonly name: string;
  readonly method: Method;
  readonly window: string | null;
  readonly seed: number;
  readonly genotype: string;
  readonly accuracy: number;
  readonly fps: number;
  readonly searchSeconds: number;
  readonly trainSeconds: number;
}

const SLACK = 0.05;
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const sd = (xs: readonly number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));

/** The most accurate of `points` at least as fast as `fps` (within the slack), or undefined. */
export function accuracyAt(points: readonly Pick<Point, 'accuracy' | 'fps'>[], fps: number): number | undefined {
  const fast = points.filter((p) => p.fps >= fps * (1 - SLACK));
  return fast.length === 0 ? undefined : Math.max(...fast.map((p) => p.accuracy));
}

export interface Matched {
  readonly window: string;
  readonly targetFps: number;
  /** Per method: mean and sample standard deviation of the per-seed accuracy at the target; n seeds that reach it. */
  readonly methods: Readonly<Record<Method, { mean: number | null; sd: number | null; n: number }>>;
}

/** At each window's co-search mean FPS, every method's accuracy per seed, then mean ± sd over the seeds that reach it. */
export function matchedComparison(points: readonly Point[]): Matched[] {
  const seeds = [...new Set(points.map((p) => p.seed))];
  const windows = [...new Set(points.filter((p) => p.method === 'co-search').map((p) => p.window as string))];
  return windows.map((window) => {
    const targetFps = mean(points.filter((p) => p.method === 'co-search' && p.window === window).map((p) => p.fps));
    const methods = Object.fromEntries(
      METHODS.map((method) => {
        const perSeed = seeds
          .map((seed) =>
            accuracyAt(
              points.filter((p) => p.method === method && p.seed === seed),
              targetFps,
            ),
          )
          .filter((a): a is number => a !== undefined);
        return [method, { mean: perSeed.length ? mean(perSeed) : null, sd: perSeed.length ? sd(perSeed) : null, n: perSeed.length }];
      }),
    ) as Matched['methods'];
    return { window, targetFps, methods };
  });
}

/** Where co-search's mean is at least every other method's (a method that reaches no network that fast loses). */
export function verdictOf(matched: readonly Matched[]): string {
  const lines = matched.map((m) => {
    const co = m.methods['co-search'].mean ?? -1;
    const beaten = METHODS.filter((x) => x !== 'co-search' && (m.methods[x].mean ?? -1) > co);
    return beaten.length === 0
      ? `at ${Math.round(m.targetFps)} FPS co-search is the most accurate`
      : `at ${Math.round(m.targetFps)} FPS ${beaten.join(' and ')} beat${beaten.length === 1 ? 's' : ''} co-search`;
  });
  return lines.join('; ');
}

/** The (method, window) groups of the experiment, in the order of its table. */
export function groupsOf(points: readonly Point[]): { method: Method; window: string | null; points: Point[] }[] {
  const windows = [...new Set(points.filter((p) => p.window !== null).map((p) => p.window as string))];
  return METHODS.flatMap((method) =>
    (method === 'accuracy-only' ? [null] : windows).map((window) => ({
      method,
      window,
      points: points.filter((p) => p.method === method && p.window === window),
    })),
  ).filter((g) => g.points.length > 0);
}

/** For the report (schemas/baselines.schema.json): every run, then each group's mean with its spread over seeds. */
export function baselinePoints(points: readonly Point[]): BaselinePoint[] {
  const label = (method: Method, window: string | null) => `${method}${window ? ` ${window}` : ''}`;
  return [
    ...points.map((p) => ({ label: `${label(p.method, p.window)} seed ${p.seed} (bench:search)`, accuracy: p.accuracy, fps: p.fps })),
    ...groupsOf(points).map((g) => ({
      label: `${label(g.method, g.window)}, mean ± sd of ${g.points.length} seed${g.points.length === 1 ? '' : 's'} (bench:search)`,
      accuracy: mean(g.points.map((p) => p.accuracy)),
      fps: mean(g.points.map((p) => p.fps)),
      accuracySd: sd(g.points.map((p) => p.accuracy)),
      fpsSd: sd(g.points.map((p) => p.fps)),
      seeds: g.points.length,
    })),
  ];
}

const BIN = join(PACKAGE_ROOT, 'bin', 'run.js');

async function trips(args: readonly string[]): Promise<Record<string, unknown>> {
  const r = await execa('node', [BIN, ...args, '--json'], { cwd: PACKAGE_ROOT, reject: false, stderr: 'inherit' });
  if (r.exitCode !== 0) throw new Error(`trips-hw ${args.join(' ')} exited ${r.exitCode}`);
  return JSON.parse(String(r.stdout)) as Record<string, unknown>;
}

/** Search (resumed or read back when done), then retrain (the same), one run. */
async function runOne(root: string, run: RunSpec, epochs: string, replicas: number): Promise<Point> {
  const dir = join(root, run.name);
  const designFile = join(dir, STAGE_FILES.design);
  const searchSummary = join(dir, 'search-summary.json');
  let search: Record<string, unknown>;
  if (existsSync(searchSummary)) search = JSON.parse(readFileSync(searchSummary, 'utf8')) as Record<string, unknown>;
  else {
    console.log(`search ${run.name}: ${run.method}${run.window ? `, window ${run.window}` : ''}, seed ${run.seed}`);
    const resume = existsSync(join(dir, STAGE_FILES.checkpoint)) ? ['--resume'] : [];
    search = await trips([
      'search',
      '--preset',
      PRESET,
      '--seed',
      String(run.seed),
      '--replicas',
      String(replicas),
      '--out',
      dir,
      ...resume,
      ...run.flags,
    ]);
    writeJsonAtomic(searchSummary, search);
  }
  const trainDir = join(dir, RUN_FILES.train);
  const trainSummary = join(trainDir, STAGE_FILES.trainSummary);
  let train: Record<string, unknown>;
  if (existsSync(trainSummary)) train = JSON.parse(readFileSync(trainSummary, 'utf8')) as Record<string, unknown>;
  else {
    console.log(`retrain ${run.name}: ${search.genotype}`);
    const { batchSize, learningRate, limitTrain } = PRESETS[PRESET].retrain;
    const resume = existsSync(join(trainDir, STAGE_FILES.checkpoint)) ? ['--resume'] : [];
    train = await trips([
      'train',
      '--design',
      designFile,
      '--dataset',
      'fashion-mnist',
      '--epochs',
      epochs,
      '--batch-size',
      String(batchSize),
      '--lr',
      String(learningRate),
      '--seed',
      String(run.seed),
      '--replicas',
      String(replicas),
      ...(limitTrain ? ['--limit-train', String(limitTrain)] : []),
      '--out',
      trainDir,
      ...resume,
    ]);
  }
  const design = JSON.parse(readFileSync(designFile, 'utf8')) as { predicted: { fps: number } };
  return {
    name: run.name,
    method: run.method,
    window: run.window,
    seed: run.seed,
    genotype: String(search.genotype),
    accuracy: Number(train.accuracy),
    fps: Math.round(design.predicted.fps),
    searchSeconds: Math.round(Number(search.seconds)),
    trainSeconds: Math.round(Number(train.seconds)),
  };
}

const pct = (v: number | null, s: number | null) => (v === null ? '—' : `${(100 * v).toFixed(2)} ± ${(100 * (s ?? 0)).toFixed(2)} %`);

async function main(): Promise<void> {
  const root = process.env.RUNS_DIR ?? join(PACKAGE_ROOT, 'runs', 'search-experiment');
  const seeds = (process.env.SEEDS ?? '1,2,3').split(',').map(Number);
  const epochs = process.env.RETRAIN_EPOCHS ?? String(PRESETS[PRESET].retrain.epochs);
  // runs side by side, one core each: a search's replicas wait at every step for each other
  // (their barrier was 19 % of a 2-replica study search's time), two runs never do
  const cores = availableParallelism();
  const jobs = Math.max(1, Number(process.env.JOBS ?? cores));
  const replicas = Math.max(1, Math.floor(cores / jobs));
  const started = performance.now();
  console.log(
    `bench:search on ${JSON.stringify(machineLine())}; preset ${PRESET}; runs in ${root}; seeds ${seeds}; retraining ${epochs} epochs; ${jobs} runs at a time × ${replicas} replica${replicas === 1 ? '' : 's'}`,
  );
  const specs = runSpecs(seeds);
  const points: Point[] = new Array(specs.length);
  await inParallel(specs, jobs, async (run, i) => {
    const p = await runOne(root, run, epochs, replicas);
    points[i] = p;
    console.log(`  ${p.name}: accuracy ${(100 * p.accuracy).toFixed(2)} %, ${p.fps} FPS  [${p.genotype}]`);
  });
  writeJsonAtomic(join(root, RUN_FILES.baselines), baselinePoints(points));
  console.log('\n| method | window | FPS (mean ± sd) | accuracy (mean ± sd) | seeds |');
  console.log('|---|---|---|---|---|');
  for (const { method, window, points: group } of groupsOf(points)) {
    const fps = group.map((p) => p.fps);
    const acc = group.map((p) => p.accuracy);
    console.log(
      `| ${method} | ${window ?? '—'} | ${Math.round(mean(fps))} ± ${Math.round(sd(fps))} | ${pct(mean(acc), sd(acc))} | ${group.length} |`,
    );
  }
  const matched = matchedComparison(points);
  console.log('\nat matched FPS (each method: its most accurate network at least that fast, per seed):');
  console.log(`| target FPS | ${METHODS.join(' | ')} |`);
  console.log(`|---|${METHODS.map(() => '---').join('|')}|`);
  for (const m of matched) {
    console.log(
      `| ${Math.round(m.targetFps)} (${m.window}) | ${METHODS.map((x) => `${pct(m.methods[x].mean, m.methods[x].sd)} (${m.methods[x].n}/${seeds.length})`).join(' | ')} |`,
    );
  }
  const verdict = verdictOf(matched);
  console.log(`\nverdict: ${verdict}; ${((performance.now() - started) / 60e3).toFixed(1)} min`);
  console.log(JSON.stringify({ matched, runs: points, verdict, retrainEpochs: Number(epochs), machine: machineLine() }));
}

if (process.argv[1]?.endsWith('search-experiment.js')) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
