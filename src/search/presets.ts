/**
 * Search presets: a space and a schedule sized for a purpose.
 *  - smoke: a 3-cell space on the synthetic set; seconds (CI, quick checks);
 *  - quick: Fashion-MNIST on a reduced space, sized for ≤ 20 minutes on 2 cores;
 *  - study: quick's space and schedule on half the images with fewer epochs, so bench:search's
 *    grid of methods × FPS windows × seeds fits in about 90 minutes on 2 cores;
 *  - paper: the 22-cell CIFAR space and the authors' schedule (method.md §5), for a machine
 *    with a GPU through tfjs-node-gpu.
 */
import type { DatasetName } from '../data/index.js';
import { DEFAULT_SGD, type SgdSettings } from '../nn/optimizer.js';
import { CIFAR22_SPACE, FBNET_OPS, QUICK_SPACE, SMOKE_SPACE } from './spaces.js';
import type { SearchSpaceSpec } from './types.js';

export type PresetName = 'smoke' | 'quick' | 'study' | 'paper';
export const PRESET_NAMES: readonly PresetName[] = ['smoke', 'quick', 'study', 'paper'];

export interface SearchSchedule {
  readonly epochs: number;
  /** Epochs of weight steps only (α and β frozen) before the alternation starts. */
  readonly warmupEpochs: number;
  readonly batchSize: number;
  /** Use the first N training samples (before the 50/50 weight/arch split); all when absent. */
  readonly limitTrain?: number;
  /** Test images the derived path is evaluated on after each epoch. */
  readonly evalSamples: number;
  readonly sgd: SgdSettings;
  /** Adam on α and β. */
  readonly archLearningRate: number;
  readonly archBetas: readonly [number, number];
  /** Gumbel temperature T0 · decay^epoch. */
  readonly temperature: number;
  readonly temperatureDecay: number;
  /** Arch steps between accelerator re-searches (warm-started). */
  readonly hwEvery: number;
  /** Arch steps between two moves of λ under the adaptive rule (default 50; the release's rule moves once an epoch). */
  readonly lambdaEvery?: number;
  /** DAS samples of a re-search during the search, and of the final long search. */
  readonly dasSamples: number;
  readonly finalDasSamples: number;
  /** Initial λ of the hardware penalty (×2 / ÷2 per epoch to stay in the FPS window). */
  readonly lambda: number;
}

interface Preset {
  readonly name: PresetName;
  readonly dataset: DatasetName;
  readonly board: string;
  readonly space: SearchSpaceSpec;
  readonly schedule: SearchSchedule;
  /** FPS window when the user gives none. */
  readonly fpsWindow: readonly [number, number];
  /** How `flow` retrains the searched network from scratch. */
  readonly retrain: RetrainSchedule;
}

interface RetrainSchedule {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly limitTrain?: number;
}

const ARCH = { archLearningRate: 3e-4, archBetas: [0.5, 0.999] as const, temperature: 5, temperatureDecay: 0.975 };

/** The quick preset's search schedule; `study` shortens it. */
const QUICK_SCHEDULE: SearchSchedule = {
  ...ARCH,
  // [ours] a short search needs a faster arch optimiser than the paper's 90 epochs. On 40,000
  // images (5,000 arch steps in 16 joint epochs) 6e-3 left α's entropy at 0.700 of 1.386 (half:
  // 0.693) and 7.5e-3 at 0.564, in 1,432 s on a slower 2-core machine (docs/search.md); 28,000
  // images cut the epoch by 30 % for the ≤ 20-minute flow, and 1.1e-2 keeps lr × arch steps
  archLearningRate: 1.1e-2,
  epochs: 22,
  warmupEpochs: 6,
  batchSize: 64,
  limitTrain: 28000,
  evalSamples: 2000,
  sgd: { ...DEFAULT_SGD, learningRate: 0.1 },
  hwEvery: 50,
  lambdaEvery: 100,
  dasSamples: 1000,
  finalDasSamples: 20000,
  // [ours] with the expected hardware cost λ = 0.5 collapses every cell onto skip within one
  // epoch; 0.1 lets the controller find the window's λ (≈ 0.02 here) from above
  lambda: 0.1,
};

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  smoke: {
    name: 'smoke',
    dataset: 'synthetic',
    board: 'ultra96v2',
    space: SMOKE_SPACE,
    // the smoke space on the Ultra96-V2 spans ~49k FPS (k3_e1@4 everywhere) to ~150k (skip)
    fpsWindow: [40000, 80000],
    retrain: { epochs: 2, batchSize: 32, learningRate: 0.1, limitTrain: 512 },
    schedule: {
      ...ARCH,
      archLearningRate: 3e-2,
      epochs: 6,
      warmupEpochs: 3,
      batchSize: 32,
      evalSamples: 128,
      sgd: { ...DEFAULT_SGD, learningRate: 0.1 },
      hwEvery: 4,
      dasSamples: 200,
      finalDasSamples: 2000,
      lambda: 0.5,
    },
  },
  quick: {
    name: 'quick',
    dataset: 'fashion-mnist',
    board: 'zc706',
    space: QUICK_SPACE,
    // the quick space on the ZC706 spans ~11k FPS (k5_e3@8 everywhere) to ~79k (skip@4)
    fpsWindow: [16000, 24000],
    // 6 epochs: 90.7 % on the co-mid design of bench:search in 265 s on 2 cores
    retrain: { epochs: 6, batchSize: 128, learningRate: 0.1 },
    schedule: QUICK_SCHEDULE,
  },
  study: {
    name: 'study',
    dataset: 'fashion-mnist',
    board: 'zc706',
    space: QUICK_SPACE,
    fpsWindow: [16000, 24000],
    retrain: { epochs: 4, batchSize: 128, learningRate: 0.1, limitTrain: 30000 },
    // quick's schedule on 16,000 images, 8 joint epochs instead of 16, from λ 0.02 (from 0.1 the
    // 12–16k run spent 4 of its 8 joint epochs bringing λ down to 0.007 and ended at 25k FPS);
    // 1,000 arch steps instead of quick's 3,500, so a faster arch optimiser (lr × steps ≈ 30)
    schedule: {
      ...QUICK_SCHEDULE,
      epochs: 12,
      warmupEpochs: 4,
      limitTrain: 16000,
      evalSamples: 1000,
      lambda: 0.02,
      archLearningRate: 3e-2,
    },
  },
  paper: {
    name: 'paper',
    dataset: 'cifar10',
    board: 'zc706',
    space: { ...CIFAR22_SPACE, ops: FBNET_OPS },
    fpsWindow: [80, 120],
    // method.md §5: the derived CIFAR network is retrained for 600 epochs
    retrain: { epochs: 600, batchSize: 128, learningRate: 0.1 },
    schedule: {
      ...ARCH,
      epochs: 120,
      warmupEpochs: 30,
      batchSize: 64,
      evalSamples: 10000,
      sgd: DEFAULT_SGD,
      hwEvery: 100,
      dasSamples: 2000,
      finalDasSamples: 100000,
      lambda: 0.5,
    },
  },
};
