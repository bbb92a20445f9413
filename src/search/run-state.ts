/**
 * The joint search's checkpoint: every tensor (weights, statistics, SGD velocities, α, β) and
 * the state besides (epoch records, λ, Adam's moments, the accelerator and its DAS logits, the
 * charged latencies), with the settings a resume must repeat.
 */
import { UsageError } from '../core/diagnostics.js';
import { readCheckpoint, writeCheckpoint } from '../nn/checkpoint.js';
import * as tf from '../nn/tf.js';
import type { LoopContext, SearchEpochRecord, SearchJob } from './context.js';
import type { HardwareState } from './hardware.js';
import { initialLambda } from './lambda.js';

/** Checkpoint state besides tensors. */
interface SearchState {
  readonly settings: ReturnType<typeof settingsOf>;
  readonly epochs: SearchEpochRecord[];
  readonly lambda: number;
  /** The λ controller's step and side (lambda.ts). */
  readonly lambdaStep?: number;
  readonly lambdaSide?: -1 | 0 | 1;
  readonly adam: { readonly m: number[]; readonly v: number[]; readonly t: number };
  readonly hardware?: HardwareState;
  readonly archSteps: number;
  readonly lastHwSearch: number;
  readonly hwSearches: number;
  readonly charged?: LoopContext['s']['charged'];
}

function settingsOf(job: SearchJob) {
  return {
    space: job.space,
    dataset: job.dataset,
    board: job.board.name,
    schedule: job.schedule,
    fpsWindow: job.fpsWindow,
    lambda0: job.lambda,
    lambdaRule: job.lambdaRule ?? 'adaptive',
    hwCost: job.hwCost ?? 'expected',
    hwSearch: job.hwSearch,
    sampling: job.sampling,
    seed: job.seed,
  };
}

export async function saveCheckpoint(ctx: LoopContext, epochs: SearchEpochRecord[]): Promise<void> {
  const { net: supernet, optimizer, adam, s } = ctx;
  const tensors = {
    ...Object.fromEntries(supernet.trainable),
    ...Object.fromEntries(supernet.state),
    ...optimizer.velocityTensors(),
    alpha: supernet.alpha,
    beta: supernet.beta,
  };
  const state: SearchState = {
    settings: settingsOf(ctx.job),
    epochs,
    lambda: s.lambda.value,
    lambdaStep: s.lambda.step,
    lambdaSide: s.lambda.side,
    adam: { m: Array.from(adam.m), v: Array.from(adam.v), t: adam.t },
    hardware: s.hardware,
    archSteps: s.archSteps,
    lastHwSearch: Number.isFinite(s.lastHwSearch) ? s.lastHwSearch : -1e9,
    hwSearches: s.hwSearches,
    charged: s.charged,
  };
  await writeCheckpoint<SearchState>(ctx.job.outDir, tensors, state);
}

export function restore(ctx: LoopContext, epochs: SearchEpochRecord[]): void {
  const { job, net: supernet, optimizer, adam, s } = ctx;
  const found = readCheckpoint<SearchState>(job.outDir);
  if (!found) return;
  if (JSON.stringify(found.state.settings) !== JSON.stringify(settingsOf(job))) {
    throw new UsageError(
      `--resume: the checkpoint in ${job.outDir} was made with other settings; start a new --out or repeat the original flags`,
    );
  }
  const targets = new Map<string, tf.Variable>([
    ...supernet.trainable,
    ...supernet.state,
    ...[...optimizer.velocity].map(([k, v]) => [`velocity/${k}`, v] as const),
    ['alpha', supernet.alpha],
    ['beta', supernet.beta],
  ]);
  for (const [name, variable] of targets) {
    const value = found.tensors[name];
    if (!value) throw new UsageError(`--resume: the checkpoint in ${job.outDir} has no "${name}"`);
    variable.assign(value);
  }
  tf.dispose(Object.values(found.tensors));
  const st = found.state;
  epochs.push(...st.epochs);
  s.lambda = {
    ...initialLambda(job.lambda),
    value: st.lambda,
    ...(st.lambdaStep === undefined ? {} : { step: st.lambdaStep }),
    side: st.lambdaSide ?? 0,
  };
  adam.m.set(st.adam.m);
  adam.v.set(st.adam.v);
  adam.t = st.adam.t;
  s.hardware = st.hardware;
  s.archSteps = st.archSteps;
  s.lastHwSearch = st.lastHwSearch;
  s.hwSearches = st.hwSearches;
  s.charged = st.charged;
}
