/**
 * The TF.js / PyTorch twin of bench:step (step.ts) and of its tests: the benchmark network (the
 * fmnist space with a fixed MBConv genotype), its batch and initial weights written for the
 * PyTorch side (src/bench/torch_step.py), and one timed run of each side — the TF.js engine in
 * process or on data-parallel replicas. What stays true: both sides start from the same weights
 * and train on the same batch, so their per-step losses agree.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { NetworkSpec } from '../core/network.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { Rng } from '../core/random.js';
import { FMNIST_SPACE, lowerGenotypeToNetwork, type GenotypeSpec } from '../search/index.js';

export const PYTHON = '/usr/bin/python3';
export const TORCH_SCRIPT = join(PACKAGE_ROOT, 'src', 'bench', 'torch_step.py');

/** Eight MBConv cells, no skip: every op family and bitwidth of the space appears. */
export const BENCH_GENOTYPE: GenotypeSpec = {
  version: 1,
  space: 'fmnist',
  cells: [
    { op: 'k3_e3', bits: 8 },
    { op: 'k5_e6', bits: 6 },
    { op: 'k3_e1_g2', bits: 4 },
    { op: 'k3_e6', bits: 8 },
    { op: 'k5_e3', bits: 6 },
    { op: 'k5_e1_g2', bits: 4 },
    { op: 'k3_e6', bits: 6 },
    { op: 'k5_e6', bits: 8 },
  ],
};

/** The bench network: the fmnist space lowered with BENCH_GENOTYPE. */
export function benchNetwork(): NetworkSpec {
  return lowerGenotypeToNetwork(FMNIST_SPACE, BENCH_GENOTYPE, 'bench-step-supernet');
}

const SEED = 1;
export const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a non-negative integer, found "${raw}"`);
  return n;
};
export const round = (x: number, d = 2): number => Number(x.toFixed(d));
export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A fixed batch: standard-normal "normalised images" [B, H, W, C] and labels in [0, classes). */
export function benchBatch(network: NetworkSpec, batch: number, seed = SEED + 1): { x: Float32Array; labels: Int32Array } {
  const rng = new Rng(seed);
  const { height, width, channels } = network.input;
  const x = new Float32Array(batch * height * width * channels);
  for (let i = 0; i < x.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(rng.next()));
    const t = 2 * Math.PI * rng.next();
    x[i] = r * Math.cos(t);
    if (i + 1 < x.length) x[i + 1] = r * Math.sin(t);
  }
  const labels = new Int32Array(batch);
  for (let i = 0; i < batch; i++) labels[i] = rng.int(network.classes);
  return { x, labels };
}

interface TensorEntry {
  readonly name: string;
  readonly shape: readonly number[];
  /** Offset in float32 elements (labels: int32 elements) into the data file. */
  readonly offset: number;
}

/**
 * Write the initial trainable weights (TF.js layouts: conv [kh, kw, in/g, out], depthwise
 * [kh, kw, C, 1], fc [in, out]), the batch (NHWC) and the labels to `dir/init.bin` with a
 * manifest `dir/init.json` for the PyTorch twin.
 */
export function writeInit(
  dir: string,
  weights: ReadonlyMap<string, { shape: readonly number[]; values: Float32Array }>,
  batch: { x: Float32Array; labels: Int32Array },
  xShape: readonly number[],
): string {
  const parts: Uint8Array[] = [];
  const tensors: TensorEntry[] = [];
  let offset = 0;
  const push = (name: string, shape: readonly number[], values: Float32Array | Int32Array) => {
    tensors.push({ name, shape, offset });
    parts.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    offset += values.length;
  };
  for (const [name, w] of weights) push(name, w.shape, w.values);
  push('__x__', xShape, batch.x);
  push('__labels__', [batch.labels.length], batch.labels);
  const data = join(dir, 'init.bin');
  writeFileSync(data, Buffer.concat(parts));
  const manifest = join(dir, 'init.json');
  writeFileSync(manifest, JSON.stringify({ file: data, layout: 'tfjs', tensors }, null, 1));
  return manifest;
}

export interface TorchResult {
  readonly torchMs: number | null;
  readonly peakRssMB: number | null;
  readonly threads?: number;
  readonly torch?: string;
  readonly losses?: number[];
  readonly error?: string;
}

/** Run the PyTorch twin; a missing python3 or torch gives torchMs null with the reason. */
export async function runTorch(args: readonly string[], opts: { quiet?: boolean } = {}): Promise<TorchResult> {
  // the twin's per-step lines go to stderr: shown live unless quiet
  const result = await execa(PYTHON, [TORCH_SCRIPT, ...args], {
    cwd: PACKAGE_ROOT,
    reject: false,
    stderr: opts.quiet ? 'pipe' : 'inherit',
  });
  const lines = String(result.stdout ?? '')
    .trim()
    .split('\n');
  const last = lines[lines.length - 1] ?? '';
  try {
    const parsed = JSON.parse(last) as TorchResult;
    if (typeof parsed === 'object' && parsed !== null && 'torchMs' in parsed) return parsed;
  } catch {
    // fall through to the error below
  }
  const why =
    result.failed && (result as { code?: string }).code === 'ENOENT'
      ? `${PYTHON} not found`
      : `${PYTHON} ${TORCH_SCRIPT} exited ${result.exitCode ?? result.signal}: ${
          String(result.stderr ?? result.message ?? '')
            .trim()
            .split('\n')
            .pop() ?? ''
        }`;
  return { torchMs: null, peakRssMB: null, error: why };
}

/**
 * A copy of `network` quantised so finely (24-bit weights and outputs) that it computes as in
 * float: rounding flips between two engines change values by ~1e-7 instead of a whole 4-bit step,
 * so the two engines' losses must agree closely (tests). Logits stay unquantised.
 */
export function nearFloatNetwork(network: NetworkSpec): NetworkSpec {
  const layers = network.layers.map((l) => ({ ...l, bits: 24, outBits: l.outBits >= 32 ? l.outBits : 24 }));
  return { ...network, name: `${network.name}-24bit`, layers };
}

export interface TfjsRun {
  readonly backend: string;
  readonly params: number;
  readonly losses: number[];
  /** ms of each step after the warm-up ones. */
  readonly times: number[];
  /** The files the PyTorch twin reads: the network and the init manifest (in `dir`). */
  readonly networkFile: string;
  readonly manifest: string;
  /** TF.js tensors left over after the steps (should be 0). */
  readonly leaked: number;
  /** The wasm heap after the steps, if the backend is wasm. */
  readonly wasmHeapMB: number | null;
}

export interface TfjsRunOptions {
  readonly batch: number;
  readonly steps: number;
  readonly warmup: number;
  readonly dir: string;
  readonly seed?: number;
  /** Data-parallel replicas (worker threads, see src/nn/replica.ts); default 1: this thread. */
  readonly replicas?: number;
  /** The backend the replicas select (in-process runs use the one already selected). */
  readonly backend?: string;
  readonly log?: (line: string) => void;
}

/**
 * Train `network` for warm-up + timed steps on the fixed batch with the TF.js engine (on the
 * backend already selected), after writing the network, its initial weights and the batch to
 * `dir` for the PyTorch twin. `log` receives one line per step. With replicas, each trains on
 * its slice of the batch and a step is timed on rank 0 (the replicas meet inside every step).
 */
export async function runTfjs(network: NetworkSpec, opts: TfjsRunOptions): Promise<TfjsRun> {
  if ((opts.replicas ?? 1) <= 1) return tfjsSteps(network, opts);
  const { runReplicated } = await import('../nn/replicas.js');
  const { log, ...job } = opts;
  return runReplicated<{ network: NetworkSpec; opts: Omit<TfjsRunOptions, 'log'> }, TfjsRun>({
    program: { module: 'bench/step-twin.js', exportName: 'stepReplica' },
    job: { network, opts: job },
    size: opts.replicas ?? 1,
    onEvent: (line) => log?.(String(line)),
  });
}

/** One replica of a replicated runTfjs (in its worker thread). */
export async function stepReplica(
  job: { network: NetworkSpec; opts: Omit<TfjsRunOptions, 'log'> },
  context: import('../nn/replicas.js').ReplicaContext,
): Promise<TfjsRun> {
  const { Replica } = await import('../nn/replica.js');
  const { selectBackend } = await import('../nn/backend.js');
  const tf = await import('../nn/tf.js');
  tf.env().set('PROD', true);
  await selectBackend(job.opts.backend as Parameters<typeof selectBackend>[0]);
  const replica = new Replica(context.memory, context.rank, context.size);
  return tfjsSteps(job.network, { ...job.opts, log: (line) => context.emit(line) }, replica);
}

async function tfjsSteps(network: NetworkSpec, opts: TfjsRunOptions, replica?: import('../nn/replica.js').Replica): Promise<TfjsRun> {
  const tf = await import('../nn/tf.js');
  const { sliceOf } = await import('../nn/train.js');
  const { createModel, disposeModel } = await import('../nn/model.js');
  const { createOptimizer, DEFAULT_SGD, sgdStep } = await import('../nn/optimizer.js');
  const networkFile = join(opts.dir, 'network.json');
  writeFileSync(networkFile, JSON.stringify(network, null, 1));
  const model = createModel(network, opts.seed ?? SEED);
  const optimizer = createOptimizer(model, DEFAULT_SGD);
  const params = [...model.trainable.values()].reduce((n, v) => n + v.size, 0);
  const { height, width, channels } = network.input;
  const data = benchBatch(network, opts.batch);
  const xShape: [number, number, number, number] = [opts.batch, height, width, channels];
  const initial = new Map([...model.trainable].map(([name, v]) => [name, { shape: v.shape, values: v.dataSync() as Float32Array }]));
  const manifest = !replica || replica.rank === 0 ? writeInit(opts.dir, initial, data, xShape) : join(opts.dir, 'init.json');
  const { start, count } = replica ? sliceOf(opts.batch, replica) : { start: 0, count: opts.batch };
  const pixels = height * width * channels;
  const x = tf.tensor4d(data.x.subarray(start * pixels, (start + count) * pixels), [count, height, width, channels]);
  const y = tf.tensor1d(data.labels.subarray(start, start + count), 'int32');
  const losses: number[] = [];
  const times: number[] = [];
  const tensorsBefore = tf.memory().numTensors;
  for (let i = 0; i < opts.warmup + opts.steps; i++) {
    const t0 = performance.now();
    const { loss } = sgdStep(model, optimizer, x, y, network.classes, DEFAULT_SGD.learningRate, replica);
    const ms = performance.now() - t0;
    losses.push(loss);
    if (i >= opts.warmup) times.push(ms);
    opts.log?.(`  tfjs step ${i + 1}${i < opts.warmup ? ' (warm-up)' : ''}: ${round(ms, 1)} ms, loss ${loss.toFixed(5)}`);
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  const backend = tf.getBackend();
  const wasmHeapMB =
    backend === 'wasm'
      ? round((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength / 2 ** 20, 1)
      : null;
  tf.dispose([x, y]);
  optimizer.dispose();
  disposeModel(model);
  return { backend, params, losses, times, networkFile, manifest, leaked, wasmHeapMB };
}

/** Arguments of the PyTorch twin for the files of a TF.js run. */
export function torchArgs(run: TfjsRun, opts: { batch: number; steps: number; warmup: number; threads: number; lr: number }): string[] {
  return [
    '--network',
    run.networkFile,
    '--init',
    run.manifest,
    '--batch',
    String(opts.batch),
    '--steps',
    String(opts.steps),
    '--warmup',
    String(opts.warmup),
    '--threads',
    String(opts.threads),
    '--lr',
    String(opts.lr),
  ];
}
