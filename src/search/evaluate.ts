/**
 * Evaluating the derived path of a supernet: its running statistics are recomputed for that
 * path first, and restored after.
 */
import { batchesOf } from '../data/index.js';
import { withReplica } from '../nn/replica.js';
import * as tf from '../nn/tf.js';
import { accuracyOf } from '../nn/train.js';
import { batchTensors, type LoopContext } from './context.js';
import { derivedForward, weightForward } from './supernet.js';
import { genotypePath } from './paths.js';
import type { GenotypeSpec } from './types.js';

/** Training batches the derived path's running statistics are recomputed on before evaluation. */
const RECALIBRATION_BATCHES = 8;

/**
 * Accuracy of the derived path on the evaluation images. Its running statistics and ranges
 * were accumulated while other candidates fed it, so they are first recomputed for this path
 * (the plain average over a few training batches, as single-path one-shot NAS does) and
 * restored afterwards: evaluation leaves the supernet as it found it.
 */
export function evaluateDerived(ctx: LoopContext, genotype: GenotypeSpec): number {
  const { net: supernet } = ctx;
  const saved = [...supernet.state.values()].map((v) => [v, tf.clone(v)] as const);
  try {
    recalibrate(ctx, genotype);
    return accuracyOf((x) => derivedForward(supernet, x, genotype), ctx.evalSplit, ctx.data, 250, ctx.replica);
  } finally {
    for (const [variable, value] of saved) {
      variable.assign(value);
      value.dispose();
    }
  }
}

function recalibrate(ctx: LoopContext, genotype: GenotypeSpec): void {
  const { job, net: supernet, replica, data } = ctx;
  const path = genotypePath(supernet, genotype);
  let k = 0;
  for (const batch of batchesOf(ctx.weightSplit, { batchSize: job.schedule.batchSize, shuffle: false, normalize: data })) {
    if (k === RECALIBRATION_BATCHES) break;
    const tensors = batchTensors(batch, ctx.weightSplit, replica);
    if (!tensors) break;
    const weight = 1 / ++k;
    // the queued updates are kept tensors: they outlive the tidy scope that frees the rest
    let updates: readonly [tf.Variable, tf.Tensor][] = [];
    withReplica(replica, () =>
      tf.tidy(() => {
        updates = weightForward(supernet, tensors.x, path, { statistics: weight, range: weight }).updates;
      }),
    );
    for (const [variable, value] of updates) {
      variable.assign(value);
      value.dispose();
    }
    tf.dispose([tensors.x, tensors.y]);
  }
}
