/**
 * The joint search (method.md §5): a supernet trained with heterogeneous sampling, α and β
 * updated with an operation-wise hardware penalty from the accelerator the DAS finds for the
 * current single path, λ adapted to keep the derived network's FPS in a window.
 *
 * A pure function of its job apart from the run folder: `search.jsonl` (one line per epoch),
 * a checkpoint after every epoch (everything a resume needs: weights, statistics, α, β, both
 * optimisers' state, λ, the accelerator and its DAS logits), and at the end `design.json`
 * (the derived network on the final long-DAS accelerator) and `weights/` (the supernet).
 * Every random draw comes from a stream derived from (seed, epoch, step), so a resumed run
 * continues exactly as the uninterrupted one; Ctrl-C stops between steps and loses at most
 * the epoch in progress. Runs as data-parallel replicas on wasm/cpu like `train` (replica.ts).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/diagnostics.js';
import { writeJsonAtomic } from '../core/files.js';
import { makeProvenance } from '../core/provenance.js';
import { Rng } from '../core/random.js';
import { validateArtifact } from '../core/schema.js';
import type { CostReport, DesignPoint } from '../accel/index.js';
import { deriveSeed, STREAM } from '../core/seed.js';
import { batchesOf, type Dataset, datasetByName, splitTrainValidation } from '../data/index.js';
import { type BackendName, selectBackend } from '../nn/backend.js';
import { cosineRate, createOptimizer, crossEntropy, trainStep } from '../nn/optimizer.js';
import { Replica } from '../nn/replica.js';
import { observedBy, replicaCount, type ReplicaContext, runObserved, type Unobserved } from '../nn/replicas.js';
import * as tf from '../nn/tf.js';
import { saveWeights } from '../nn/weights.js';
import { archStep } from './arch-step.js';
import { initialLambda, steerLambda } from './lambda.js';
import {
  ArchAdam,
  batchTensors,
  chargePath,
  type LoopContext,
  type SearchEpochRecord,
  type SearchJob,
  type SearchResult,
} from './context.js';
import { evaluateDerived } from './evaluate.js';
import { costOnAccelerator, genotypeKey, pathNetwork, searchHardware } from './hardware.js';
import type { SearchSchedule } from './presets.js';
import { restore, saveCheckpoint } from './run-state.js';
import { createSupernet, disposeSupernet, weightForward } from './supernet.js';
import { derivedGenotype, logitEntropies, readLogits, sampleWeightPath } from './paths.js';
import type { GenotypeSpec, SearchSpaceSpec } from './types.js';
import { STAGE_FILES } from '../core/run-layout.js';

export type { HwSearchMode, SearchResult } from './context.js';

export async function runSearch(job: SearchJob): Promise<SearchResult> {
  const [lo, hi] = job.fpsWindow;
  if (!(lo > 0 && hi > lo)) throw new UsageError(`--fps-window: expected LO:HI with 0 < LO < HI, found ${lo}:${hi}`);
  const backend = (await selectBackend(job.backend)).name;
  const replicas = replicaCount(backend, job.replicas);
  if (replicas === 1) return searchLoop(job, backend);
  return runObserved<SearchResult, SearchJob>(
    { module: 'search/joint.js', exportName: 'searchReplica' },
    { ...job, backend, replicas },
    replicas,
  );
}

/** One replica of a replicated search (in its worker thread). */
export async function searchReplica(job: Unobserved<SearchJob>, context: ReplicaContext): Promise<SearchResult> {
  const replica = new Replica(context.memory, context.rank, context.size);
  const backend = (await selectBackend(job.backend)).name;
  return searchLoop({ ...job, ...observedBy(context) }, backend, replica);
}

function checkDataset(space: SearchSpaceSpec, data: Dataset): void {
  const { height, width, channels } = space.input;
  const s = data.train;
  if (s.height !== height || s.width !== width || s.channels !== channels || data.classes !== space.classes) {
    throw new UsageError(
      `dataset ${data.name} gives ${s.height}×${s.width}×${s.channels} images in ${data.classes} classes; search space ${space.name} expects ${height}×${width}×${channels} in ${space.classes}`,
    );
  }
}

async function searchLoop(job: SearchJob, backend: BackendName, replica?: Replica): Promise<SearchResult> {
  const writer = !replica || replica.rank === 0;
  const data = datasetByName(job.dataset, { dataDir: job.dataDir, seed: job.seed });
  checkDataset(job.space, data);
  const sched = job.schedule;
  const pool = sched.limitTrain ? { ...data.train, count: Math.min(sched.limitTrain, data.train.count) } : data.train;
  const { train: weightSplit, validation: archSplit } = splitTrainValidation(pool, 0.5, job.seed);
  const evalSplit = { ...data.test, count: Math.min(sched.evalSamples, data.test.count) };
  if (writer) mkdirSync(job.outDir, { recursive: true });
  const net = createSupernet(job.space, job.seed);
  const optimizer = createOptimizer(net, sched.sgd);
  const adam = new ArchAdam(net.alpha.size + net.beta.size, sched.archLearningRate, sched.archBetas);
  const ctx: LoopContext = {
    job,
    net,
    data,
    weightSplit,
    archSplit,
    evalSplit,
    replica,
    optimizer,
    adam,
    s: { lambda: initialLambda(job.lambda), archSteps: 0, lastHwSearch: -Infinity, hwSearches: 0 },
  };
  const epochs: SearchEpochRecord[] = [];
  if (job.resume) restore(ctx, epochs);
  let interrupted = false;
  try {
    for (let epoch = epochs.length; epoch < sched.epochs; epoch++) {
      const record = await runEpoch(ctx, epoch);
      if (!record) {
        interrupted = true;
        break;
      }
      epochs.push(record);
      job.onEpoch?.(record);
      if (writer) {
        appendFileSync(join(job.outDir, STAGE_FILES.searchEpochs), `${JSON.stringify(record)}\n`);
        await saveCheckpoint(ctx, epochs);
      }
    }
    if (interrupted)
      return {
        backend,
        replicas: replica?.size ?? 1,
        interrupted,
        epochs,
        accuracy: epochs.at(-1)?.accuracy ?? 0,
        fps: epochs.at(-1)?.fps ?? 0,
      };
    const final = finalDesign(ctx, backend, epochs);
    const designFile = join(job.outDir, STAGE_FILES.design);
    if (writer) {
      validateArtifact('design', final.design, designFile);
      writeJsonAtomic(designFile, final.design);
      await saveWeights(join(job.outDir, STAGE_FILES.weights), {
        ...Object.fromEntries(net.trainable),
        ...Object.fromEntries(net.state),
        alpha: net.alpha,
        beta: net.beta,
      });
    }
    return {
      backend,
      replicas: replica?.size ?? 1,
      interrupted,
      epochs,
      accuracy: epochs.at(-1)?.accuracy ?? 0,
      fps: final.report.fps,
      design: designFile,
      genotype: final.genotype,
    };
  } finally {
    optimizer.dispose();
    disposeSupernet(net);
  }
}

/** The adaptive rule moves λ every `lambdaEvery` arch steps, on the FPS of the path those steps charged. */
function steerDuringEpoch(ctx: LoopContext): void {
  const { job, s } = ctx;
  if (job.lambdaRule === 'release' || !s.charged || s.archSteps % (job.schedule.lambdaEvery ?? 50) !== 0) return;
  s.lambda = steerLambda(s.lambda, s.charged.fps, job.fpsWindow, 'adaptive');
}

function temperatureOf(sched: SearchSchedule, epoch: number): number {
  return sched.temperature * sched.temperatureDecay ** epoch;
}

async function runEpoch(ctx: LoopContext, epoch: number): Promise<SearchEpochRecord | undefined> {
  const { job, net, data, replica } = ctx;
  const sched = job.schedule;
  const started = performance.now();
  const warm = epoch < sched.warmupEpochs;
  const temperature = temperatureOf(sched, epoch);
  const steps = Math.ceil(ctx.weightSplit.count / sched.batchSize);
  const totalSteps = steps * sched.epochs;
  const normalize = data;
  const augment = data.name === 'cifar10' ? 'cifar' : 'none';
  const weightBatches = batchesOf(ctx.weightSplit, {
    batchSize: sched.batchSize,
    seed: deriveSeed(job.seed, STREAM.weightBatches),
    epoch,
    normalize,
    augment,
  });
  const archBatches = warm
    ? undefined
    : batchesOf(ctx.archSplit, { batchSize: sched.batchSize, seed: deriveSeed(job.seed, STREAM.archBatches), epoch, normalize, augment });
  const archIterator = archBatches?.[Symbol.iterator]();
  let lossSum = 0;
  let archLossSum = 0;
  let archCount = 0;
  let seen = 0;
  let step = 0;
  for (const batch of weightBatches) {
    await new Promise((resolve) => setImmediate(resolve));
    const stop = job.shouldStop?.() ?? false;
    if (replica ? replica.agreeStop(stop) : stop) return undefined;
    const lr = cosineRate(sched.sgd, epoch * steps + step, totalSteps);
    if (archIterator) {
      const next = archIterator.next();
      if (!next.done) {
        const loss = archStep(ctx, next.value, epoch, step, temperature);
        if (loss !== undefined) {
          archLossSum += loss;
          archCount++;
          steerDuringEpoch(ctx);
        }
      }
    }
    const tensors = batchTensors(batch, ctx.weightSplit, replica);
    step++;
    if (!tensors) continue;
    const logits = readLogits(net);
    const path = sampleWeightPath(logits, temperature, new Rng(deriveSeed(job.seed, STREAM.weightPath, epoch, step)), job.sampling);
    const { loss } = trainStep(
      net,
      ctx.optimizer,
      () => {
        const pass = weightForward(net, tensors.x, path);
        return { loss: crossEntropy(pass.logits, tensors.y, data.classes), logits: pass.logits, updates: pass.updates };
      },
      tensors.y,
      lr,
      replica,
    );
    tf.dispose([tensors.x, tensors.y]);
    lossSum += loss * batch.size;
    seen += batch.size;
    job.onProgress?.({ epoch, step, steps, phase: warm ? 'warm-up' : 'joint', loss });
  }
  // the derived network at the end of the epoch: its accelerator, FPS, and λ for the next
  const logits = readLogits(net);
  const genotype = derivedGenotype(net, logits);
  const charged = chargePath(ctx, genotype, true);
  if (!warm && job.lambdaRule === 'release') ctx.s.lambda = steerLambda(ctx.s.lambda, charged.fps, job.fpsWindow, 'release');
  const entropies = logitEntropies(logits);
  return {
    epoch,
    phase: warm ? 'warm-up' : 'joint',
    accuracy: evaluateDerived(ctx, genotype),
    trainLoss: lossSum / Math.max(1, seen),
    archLoss: archCount ? archLossSum / archCount : null,
    fps: charged.fps,
    lambda: ctx.s.lambda.value,
    temperature,
    entropyAlpha: entropies.alpha,
    entropyBeta: entropies.beta,
    genotype: genotypeKey(genotype),
    hwSearches: ctx.s.hwSearches,
    seconds: (performance.now() - started) / 1e3,
  };
}

/**
 * The genotype the search returns: the argmax path after the last epoch — unless a hardware-
 * aware search (λ > 0) ended with that path's FPS outside the window while earlier joint epochs
 * had theirs inside: then the most accurate of those (the later on a tie). The window is the
 * user's constraint; λ's ×2 / ÷2 steering can overshoot at the last epoch.
 */
export function selectGenotype(
  job: Pick<SearchJob, 'lambda' | 'fpsWindow'>,
  epochs: readonly SearchEpochRecord[],
  last: GenotypeSpec,
): GenotypeSpec {
  const [lo, hi] = job.fpsWindow;
  const inside = (r: SearchEpochRecord) => r.fps >= lo && r.fps <= hi;
  const final = epochs.at(-1);
  if (job.lambda === 0 || !final || inside(final)) return last;
  let best: SearchEpochRecord | undefined;
  for (const r of epochs) if (r.phase === 'joint' && inside(r) && (!best || r.accuracy >= best.accuracy)) best = r;
  if (!best) return last;
  return {
    ...last,
    cells: best.genotype
      .split(' ')
      .map((cell) => ({ op: cell.slice(0, cell.lastIndexOf('@')), bits: Number(cell.slice(cell.lastIndexOf('@') + 1)) })),
  };
}

/**
 * The design: the derived network with the accelerator of a long DAS run warm-started from
 * the search's (joint, and λ = 0: accuracy first, hardware after); with `once`, the fixed
 * accelerator's configuration when it fits the board, else a long DAS from it.
 */
function finalDesign(
  ctx: LoopContext,
  backend: BackendName,
  epochs: readonly SearchEpochRecord[],
): { design: DesignPoint; report: CostReport; genotype: GenotypeSpec } {
  const { job, net: supernet, s } = ctx;
  const genotype = selectGenotype(job, epochs, derivedGenotype(supernet, readLogits(supernet)));
  const network = pathNetwork(job.space, genotype);
  const named = { ...network, name: `${job.space.name}-${job.preset}-searched` };
  const found = searchHardware(
    named,
    job.board,
    job.schedule.finalDasSamples,
    deriveSeed(job.seed, STREAM.finalHwSearch),
    s.hardware,
    job.calibration,
  );
  let { design, report } = found;
  if (job.hwSearch === 'once' && s.hardware) {
    const fixed = costOnAccelerator(named, job.board, s.hardware.accelerator, job.calibration);
    if (fixed.report.feasible) {
      const accelerator = {
        clockMhz: s.hardware.accelerator.clockMhz,
        chunks: design.accelerator.chunks.map((c, i) => ({ ...c, params: fixed.params[i] })),
      };
      report = fixed.report;
      design = {
        ...design,
        accelerator,
        predicted: {
          feasible: true,
          fps: report.fps,
          latencyCycles: report.latencyCycles,
          dsp: report.dsp,
          bram18: report.bram18,
          lut: report.lut,
        },
      };
    }
  }
  const last = ctx.job.schedule.epochs;
  return {
    design: {
      ...design,
      provenance: { ...makeProvenance({ seed: job.seed }), backend },
      search: {
        preset: job.preset,
        dataset: job.dataset,
        genotype,
        hwSearch: job.hwSearch,
        sampling: job.sampling,
        lambda: s.lambda.value,
        fpsWindow: [...job.fpsWindow],
        epochs: last,
      },
    } as DesignPoint,
    report,
    genotype,
  };
}
