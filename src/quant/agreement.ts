/**
 * The integer model against the fake-quantised TF.js model it comes from, on a data split:
 * both models' accuracy and the share of images on which their predictions agree (the
 * integers trained are the integers deployed, so they should agree on ≥ 99.5 %).
 */
import type { NetworkSpec } from '../core/network.js';
import { batchesOf, type Dataset, type Split } from '../data/index.js';
import { createModel, disposeModel, forward } from '../nn/model.js';
import * as tf from '../nn/tf.js';
import { buildIntegerModel } from './integer-model.js';
import { runInteger } from './golden.js';

interface Agreement {
  readonly images: number;
  readonly tfjsAccuracy: number;
  readonly integerAccuracy: number;
  /** Share of images where the two models predict the same class. */
  readonly agreement: number;
  readonly seconds: number;
}

/** Compare on `split` (normalised as `data` says); `weights` as saved by `trips-hw train`. */
export function compareWithTfjs(network: NetworkSpec, weights: tf.NamedTensorMap, split: Split, data: Dataset, batchSize = 500): Agreement {
  const started = performance.now();
  const integer = buildIntegerModel(network, weights);
  const model = createModel(network, 0);
  for (const [name, variable] of [...model.trainable, ...model.state]) {
    const value = weights[name];
    if (!value) throw new Error(`internal: the weights have no "${name}"`);
    variable.assign(value);
  }
  let same = 0;
  let rightTfjs = 0;
  let rightInteger = 0;
  try {
    const { height, width, channels } = split;
    for (const batch of batchesOf(split, { batchSize, shuffle: false, normalize: data })) {
      const ours = runInteger(integer, batch.x, batch.size).predictions;
      const theirs = tf.tidy(() =>
        tf.argMax(forward(model, tf.tensor4d(batch.x, [batch.size, height, width, channels]), false).logits, 1).dataSync(),
      );
      for (let i = 0; i < batch.size; i++) {
        if (ours[i] === theirs[i]) same++;
        if (theirs[i] === batch.y[i]) rightTfjs++;
        if (ours[i] === batch.y[i]) rightInteger++;
      }
    }
  } finally {
    disposeModel(model);
  }
  const n = split.count;
  return {
    images: n,
    tfjsAccuracy: rightTfjs / n,
    integerAccuracy: rightInteger / n,
    agreement: same / n,
    seconds: (performance.now() - started) / 1e3,
  };
}
