/**
 * retrainDesign — the `train` stage as one call: quantisation-aware training of a design's
 * network from scratch (nn/train.ts), then the test accuracy of the integer model the hardware
 * computes and its agreement with the fake-quantised model, written to OUT/train.json.
 */
import { join } from 'node:path';
import { datasetByName } from '../data/index.js';
import { writeJsonAtomic } from '../core/files.js';
import { makeProvenance } from '../core/provenance.js';
import * as tf from '../nn/tf.js';
import { trainNetwork, type EpochRecord, type TrainJob } from '../nn/train.js';
import { loadWeights } from '../nn/weights.js';
import { compareWithTfjs } from './agreement.js';
import { STAGE_FILES } from '../core/run-layout.js';

const TRAIN_SUMMARY_FILE = STAGE_FILES.trainSummary;

export interface TrainSummary {
  readonly accuracy: number;
  /** Test accuracy of the integer model (src/quant) the hardware computes. */
  readonly integerAccuracy: number;
  /** Share of test images where the integer and the fake-quantised model predict alike. */
  readonly agreement: number;
  readonly epochs: number;
  readonly backend: string;
  readonly replicas: number;
  readonly weights: string;
  readonly out: string;
  readonly seconds: number;
}

export type RetrainOutcome =
  | { readonly interrupted: true; readonly epochs: number }
  | ({ readonly interrupted: false; readonly history: readonly EpochRecord[] } & TrainSummary);

/** Train `job`, evaluate its integer model on the test split, write train.json (`designFile` recorded). */
export async function retrainDesign(job: TrainJob, designFile: string): Promise<RetrainOutcome> {
  const started = performance.now();
  const result = await trainNetwork(job);
  if (result.interrupted) return { interrupted: true, epochs: result.epochs.length };
  const data = datasetByName(job.dataset, { dataDir: job.dataDir, seed: job.seed });
  const weights = loadWeights(result.weightsDir);
  const integer = compareWithTfjs(job.network, weights, data.test, data);
  tf.dispose(Object.values(weights));
  const summary: TrainSummary = {
    accuracy: result.testAccuracy,
    integerAccuracy: integer.integerAccuracy,
    agreement: integer.agreement,
    epochs: result.epochs.length,
    backend: result.backend,
    replicas: result.replicas,
    weights: result.weightsDir,
    out: job.outDir,
    seconds: (performance.now() - started) / 1e3,
  };
  writeJsonAtomic(join(job.outDir, TRAIN_SUMMARY_FILE), {
    version: 1,
    design: designFile,
    dataset: job.dataset,
    ...summary,
    history: result.epochs,
    provenance: makeProvenance({ seed: job.seed }),
  });
  return { interrupted: false, history: result.epochs, ...summary };
}
