/**
 * What the parts of the joint search share: the job and its results, the loop's mutable
 * context, the arch optimiser, this replica's slice of a batch, and the hardware state
 * machine that decides which latencies the arch steps charge.
 */
import { adamUpdate } from '../core/adam.js';
import type { BoardSpec, CalibrationSpec, CostReport } from '../accel/index.js';
import { deriveSeed, STREAM } from '../core/seed.js';
import type { Batch, Dataset, DatasetName, Split } from '../data/index.js';
import type { BackendName } from '../nn/backend.js';
import type { createOptimizer } from '../nn/optimizer.js';
import type { Replica } from '../nn/replica.js';
import * as tf from '../nn/tf.js';
import { sliceOf } from '../nn/train.js';
import {
  candidateLatencies,
  cellLatencies,
  costOnAccelerator,
  genotypeKey,
  type HardwareState,
  pathNetwork,
  searchHardware,
} from './hardware.js';
import type { LambdaRule, LambdaState } from './lambda.js';
import type { SearchSchedule } from './presets.js';
import type { SamplingMode } from './paths.js';
import type { Supernet } from './supernet.js';
import type { GenotypeSpec, SearchSpaceSpec } from './types.js';

export type HwSearchMode = 'joint' | 'once';
export type HwCostMode = 'expected' | 'path';
export const HW_COST_MODES: readonly HwCostMode[] = ['expected', 'path'];

export interface SearchJob {
  readonly space: SearchSpaceSpec;
  readonly dataset: DatasetName;
  readonly dataDir?: string;
  readonly board: BoardSpec;
  readonly preset: string;
  readonly schedule: SearchSchedule;
  readonly fpsWindow: readonly [number, number];
  /** Initial λ; 0 searches for accuracy alone (the accelerator is then searched after). */
  readonly lambda: number;
  /** How λ is steered toward the FPS window (lambda.ts); default `adaptive`. */
  readonly lambdaRule?: LambdaRule;
  readonly hwSearch: HwSearchMode;
  /**
   * The arch step's hardware penalty: `expected` [ours, default] weighs every candidate's cycles
   * with α and β (hardware-cost.ts expectedHardwareCost); `path`: the method's cost of the current
   * single path (hardwareCost).
   */
  readonly hwCost?: HwCostMode;
  readonly sampling: SamplingMode;
  readonly seed: number;
  readonly outDir: string;
  readonly resume: boolean;
  readonly backend?: BackendName;
  readonly replicas?: number;
  /** Fitted cost-model coefficients (trips-hw calibrate) for every accelerator search and cost. */
  readonly calibration?: CalibrationSpec;
  readonly onProgress?: (p: SearchProgress) => void;
  readonly onEpoch?: (record: SearchEpochRecord) => void;
  readonly shouldStop?: () => boolean;
}

export interface SearchProgress {
  readonly epoch: number;
  readonly step: number;
  readonly steps: number;
  readonly phase: 'warm-up' | 'joint';
  readonly loss: number;
}

export interface SearchEpochRecord {
  readonly epoch: number;
  readonly phase: 'warm-up' | 'joint';
  /** Accuracy of the derived (argmax) path on the evaluation images, supernet weights. */
  readonly accuracy: number;
  readonly trainLoss: number;
  readonly archLoss: number | null;
  /** The derived network's FPS on the accelerator searched for it. */
  readonly fps: number;
  readonly lambda: number;
  readonly temperature: number;
  readonly entropyAlpha: number;
  readonly entropyBeta: number;
  readonly genotype: string;
  readonly hwSearches: number;
  readonly seconds: number;
}

export interface SearchResult {
  readonly backend: BackendName;
  readonly replicas: number;
  readonly interrupted: boolean;
  readonly epochs: readonly SearchEpochRecord[];
  readonly accuracy: number;
  readonly fps: number;
  readonly design?: string;
  readonly genotype?: GenotypeSpec;
}

/** Adam on the flattened [α, β] (method.md §5: lr 3e-4, betas 0.5, 0.999). */
export class ArchAdam {
  m: Float64Array;
  v: Float64Array;
  t: number;
  constructor(
    size: number,
    private readonly lr: number,
    private readonly betas: readonly [number, number],
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
    this.t = 0;
  }

  step(params: Float32Array, grads: Float32Array): void {
    this.t++;
    adamUpdate(params, grads, this.m, this.v, this.t, this.lr, this.betas[0], this.betas[1]);
  }
}

export interface LoopContext {
  readonly job: SearchJob;
  readonly net: Supernet;
  readonly data: Dataset;
  readonly weightSplit: Split;
  readonly archSplit: Split;
  readonly evalSplit: Split;
  readonly replica?: Replica;
  readonly optimizer: ReturnType<typeof createOptimizer>;
  readonly adam: ArchAdam;
  /** Mutable search state. */
  s: {
    /** λ and its controller's state (lambda.ts). */
    lambda: LambdaState;
    hardware?: HardwareState;
    archSteps: number;
    lastHwSearch: number;
    hwSearches: number;
    /** The path and latencies the arch steps charge (recomputed when the path changes). */
    charged?: { key: string; latencies: number[]; total: number; fps: number; candidates?: number[][][] };
  };
}

/** This replica's slice of a batch as tensors (undefined: too small to split; skipped by all). */
export function batchTensors(batch: Batch, split: Split, replica?: Replica): { x: tf.Tensor4D; y: tf.Tensor1D } | undefined {
  if (replica && batch.size < replica.size) return undefined;
  const { start, count } = replica ? sliceOf(batch.size, replica) : { start: 0, count: batch.size };
  const { height, width, channels } = split;
  const pixels = height * width * channels;
  return {
    x: tf.tensor4d(batch.x.subarray(start * pixels, (start + count) * pixels), [count, height, width, channels]),
    y: tf.tensor1d(batch.y.subarray(start, start + count), 'int32'),
  };
}

/**
 * The latencies the arch steps charge for `genotype`: on the accelerator searched for the
 * path (joint: re-searched, warm-started, when the path changed and `hwEvery` arch steps have
 * passed, or when `force`; once: the first accelerator, kept), else on the current one.
 */
export function chargePath(ctx: LoopContext, genotype: GenotypeSpec, force = false): NonNullable<LoopContext['s']['charged']> {
  const { job, s } = ctx;
  const key = genotypeKey(genotype);
  if (s.charged?.key === key && !force) return s.charged;
  const network = pathNetwork(job.space, genotype);
  const due = s.archSteps - s.lastHwSearch >= job.schedule.hwEvery;
  let report: CostReport;
  if (!s.hardware || (job.hwSearch === 'joint' && (due || force) && s.hardware.searchedFor !== key)) {
    const found = searchHardware(
      network,
      job.board,
      job.schedule.dasSamples,
      deriveSeed(job.seed, STREAM.hwSearch, s.hwSearches),
      s.hardware,
      job.calibration,
    );
    s.hardware = { ...found.state, searchedFor: key };
    s.lastHwSearch = s.archSteps;
    s.hwSearches++;
    report = found.report;
  } else {
    report = costOnAccelerator(network, job.board, s.hardware.accelerator, job.calibration).report;
  }
  const latencies = cellLatencies(network, report, ctx.net.slots.length);
  const candidates =
    (job.hwCost ?? 'expected') === 'expected' && job.lambda > 0
      ? candidateLatencies(job.space, genotype, job.board, s.hardware.accelerator, job.calibration)
      : undefined;
  s.charged = { key, latencies, total: report.latencyCycles, fps: report.fps, ...(candidates ? { candidates } : {}) };
  return s.charged;
}
