/**
 * bench:search — the Pareto experiment of the search issue on Fashion-MNIST with the `quick`
 * preset: co-search at three FPS windows, accuracy-only search (λ = 0, the accelerator searched
 * afterwards), and hardware-aware search on a fixed accelerator (`--hw-search once`). Every
 * derived network is then retrained from scratch with the same budget by `trips-hw train`, and
 * each point is (test accuracy of the retrained fake-quantised network, FPS of its design).
 *
 * Each run goes to RUNS_DIR/<name> (default runs/search-experiment) and is resumed when the
 * script is started again: a finished search or training is not redone. Environment:
 * RUNS_DIR, RETRAIN_EPOCHS (default 6), SEED (default 1). Last line: {"points": [{name, mode,
 * window, genotype, searchSeconds, trainSeconds, accuracy, fps}], "paretoFront": [names],
 * "machine"}.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../core/paths.js';
import { machineLine } from './machine.js';
import { RUN_FILES, STAGE_FILES } from '../core/run-layout.js';

interface RunSpec {
  readonly name: string;
  readonly mode: string;
  readonly flags: readonly string[];
  readonly window: string;
}

const WINDOWS = { low: '12000:16000', mid: '16000:24000', high: '28000:40000' } as const;

const RUNS: readonly RunSpec[] = [
  { name: 'co-low', mode: 'co-search', window: WINDOWS.low, flags: ['--fps-window', WINDOWS.low] },
  { name: 'co-mid', mode: 'co-search', window: WINDOWS.mid, flags: ['--fps-window', WINDOWS.mid] },
  { name: 'co-high', mode: 'co-search', window: WINDOWS.high, flags: ['--fps-window', WINDOWS.high] },
  { name: 'accuracy-only', mode: 'λ = 0, then DAS', window: '—', flags: ['--lambda', '0'] },
  {
    name: 'fixed-accelerator',
    mode: 'hw-aware NAS, fixed accelerator',
    window: WINDOWS.mid,
    flags: ['--fps-window', WINDOWS.mid, '--hw-search', 'once'],
  },
];

const BIN = join(PACKAGE_ROOT, 'bin', 'run.js');

async function trips(args: readonly string[]): Promise<Record<string, unknown>> {
  const r = await execa('node', [BIN, ...args, '--json'], { cwd: PACKAGE_ROOT, reject: false, stderr: 'inherit' });
  if (r.exitCode !== 0) throw new Error(`trips-hw ${args.join(' ')} exited ${r.exitCode}`);
  return JSON.parse(String(r.stdout)) as Record<string, unknown>;
}

interface Point {
  readonly name: string;
  readonly mode: string;
  readonly window: string;
  readonly genotype: string;
  readonly searchSeconds: number;
  readonly trainSeconds: number;
  readonly accuracy: number;
  readonly fps: number;
}

/** Points no other point beats on both accuracy and FPS. */
export function paretoFront(points: readonly { name: string; accuracy: number; fps: number }[]): string[] {
  return points
    .filter((p) => !points.some((q) => q !== p && q.accuracy >= p.accuracy && q.fps >= p.fps && (q.accuracy > p.accuracy || q.fps > p.fps)))
    .map((p) => p.name);
}

async function main(): Promise<void> {
  const root = process.env.RUNS_DIR ?? join(PACKAGE_ROOT, 'runs', 'search-experiment');
  const epochs = process.env.RETRAIN_EPOCHS ?? '6';
  const seed = process.env.SEED ?? '1';
  console.log(`bench:search on ${JSON.stringify(machineLine())}; runs in ${root}; retraining ${epochs} epochs each`);
  const points: Point[] = [];
  for (const run of RUNS) {
    const dir = join(root, run.name);
    const designFile = join(dir, STAGE_FILES.design);
    const searchSummary = join(dir, 'search-summary.json');
    let search: Record<string, unknown>;
    if (existsSync(searchSummary)) {
      search = JSON.parse(readFileSync(searchSummary, 'utf8')) as Record<string, unknown>;
    } else {
      console.log(`search ${run.name}: ${run.mode}${run.window === '—' ? '' : `, window ${run.window}`}`);
      search = await trips([
        'search',
        '--preset',
        'quick',
        '--seed',
        seed,
        '--out',
        dir,
        ...(existsSync(join(dir, STAGE_FILES.checkpoint)) ? ['--resume'] : []),
        ...run.flags,
      ]);
      const { writeJsonAtomic } = await import('../core/files.js');
      writeJsonAtomic(searchSummary, search);
    }
    const trainDir = join(dir, RUN_FILES.train);
    const trainSummary = join(trainDir, STAGE_FILES.trainSummary);
    let train: Record<string, unknown>;
    if (existsSync(trainSummary)) {
      train = JSON.parse(readFileSync(trainSummary, 'utf8')) as Record<string, unknown>;
    } else {
      console.log(`retrain ${run.name}: ${search.genotype}`);
      train = await trips([
        'train',
        '--design',
        designFile,
        '--dataset',
        'fashion-mnist',
        '--epochs',
        epochs,
        '--batch-size',
        '128',
        '--lr',
        '0.1',
        '--seed',
        seed,
        '--out',
        trainDir,
        ...(existsSync(join(trainDir, STAGE_FILES.checkpoint)) ? ['--resume'] : []),
      ]);
    }
    const design = JSON.parse(readFileSync(designFile, 'utf8')) as { predicted: { fps: number } };
    const point: Point = {
      name: run.name,
      mode: run.mode,
      window: run.window,
      genotype: String(search.genotype),
      searchSeconds: Math.round(Number(search.seconds)),
      trainSeconds: Math.round(Number(train.seconds)),
      accuracy: Number(train.accuracy),
      fps: Math.round(design.predicted.fps),
    };
    points.push(point);
    console.log(`  ${point.name}: accuracy ${(100 * point.accuracy).toFixed(2)}%, ${point.fps} FPS  [${point.genotype}]`);
  }
  const front = paretoFront(points);
  // the points as baselines for `trips-hw report --baselines`
  const { writeJsonAtomic } = await import('../core/files.js');
  writeJsonAtomic(
    join(root, RUN_FILES.baselines),
    points.map((p) => ({ label: `${p.mode}${p.window === '—' ? '' : ` ${p.window}`} (bench:search)`, accuracy: p.accuracy, fps: p.fps })),
  );
  console.log('\n| run | mode | FPS window | genotype | test accuracy | FPS (ZC706) | Pareto |');
  console.log('|---|---|---|---|---|---|---|');
  for (const p of points) {
    console.log(
      `| ${p.name} | ${p.mode} | ${p.window} | ${p.genotype} | ${(100 * p.accuracy).toFixed(2)}% | ${p.fps} | ${front.includes(p.name) ? 'yes' : ''} |`,
    );
  }
  console.log(JSON.stringify({ points, paretoFront: front, retrainEpochs: Number(epochs), machine: machineLine() }));
}

if (process.argv[1]?.endsWith('search-experiment.js')) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
