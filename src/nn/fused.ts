/**
 * Fused training op: batch norm with batch statistics → activation → activation fake
 * quantisation, as one differentiable op with one kernel forward and one backward. It keeps
 * only the conv output, two per-channel vectors and a one-byte mask for the backward pass,
 * where the composite graph of stock ops keeps several full-size float tensors (the memory a
 * batch-64 supernet step cannot spare under wasm32's 4 GiB). The composite version stays as
 * the fallback for backends without the kernels (tfjs-node CPU/GPU), and a test holds the two
 * together on the cpu backend.
 */
import { BN_ACT_QUANT, BN_ACT_QUANT_GRAD, registerFusedKernels, type BnActQuantAttrs } from './fused-kernels.js';
import { activationRange, fakeQuantActivationTrain } from './quant.js';
import * as tf from './tf.js';

export interface NormActQuantOptions {
  readonly activation: 'none' | 'relu' | 'relu6';
  readonly bits: number;
  readonly signed: boolean;
  readonly epsilon: number;
  readonly rangeMomentum: number;
}

/** Batch mean and biased batch variance per channel, and the blended activation range. */
export interface BatchStatistics {
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
  readonly amax: tf.Scalar;
  /** Rows (N·H·W) the statistics cover: with replicas, the whole batch's. */
  readonly rows: tf.Scalar;
}

/**
 * Receives the batch statistics while they exist (they belong to the op's scope); whatever it
 * wants to keep, it must tf.keep.
 */
export type StatisticsSink = (stats: BatchStatistics) => void;

type CustomArgs = Array<tf.Tensor | tf.GradSaveFunc>;

const ACTIVATION_CODE = { none: 0, relu: 1, relu6: 2 } as const;

/** True when the active backend has the fused kernels (cpu and wasm do). */
export function fusedAvailable(): boolean {
  registerFusedKernels();
  const backend = tf.getBackend();
  return tf.getKernel(BN_ACT_QUANT, backend) !== undefined;
}

export function normActQuantFused(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  amax: tf.Scalar,
  o: NormActQuantOptions,
  sink?: StatisticsSink,
): tf.Tensor4D {
  registerFusedKernels();
  const { lo, hi } = activationRange(o.bits, o.signed);
  const attrs: BnActQuantAttrs = {
    epsilon: o.epsilon,
    activation: ACTIVATION_CODE[o.activation],
    lo,
    hi,
    signed: o.signed,
    rangeMomentum: o.rangeMomentum,
  };
  const op = tf.customGrad((...args: CustomArgs) => {
    const [xi, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const outs = tf
      .engine()
      .runKernel(BN_ACT_QUANT, { x: xi, gamma: g, beta: b, amax }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    const [y, mean, variance, range, mask, rows] = outs;
    sink?.({ mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D, amax: range as tf.Scalar, rows: rows as tf.Scalar });
    save([xi, g, mean, variance, mask]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, gs, ms, vs, masks] = saved;
        const inputs = { dy: dy as tf.Tensor, x: xs, gamma: gs, mean: ms, variance: vs, mask: masks };
        return tf.engine().runKernel(BN_ACT_QUANT_GRAD, inputs, { epsilon: o.epsilon }) as tf.Tensor[];
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}

/** The same op from stock TF.js ops: what runs on backends without the fused kernels. */
export function normActQuantComposite(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  amax: tf.Scalar,
  o: NormActQuantOptions,
  sink?: StatisticsSink,
): tf.Tensor4D {
  const m = tf.moments(x, [0, 1, 2]);
  const normed = tf.batchNorm4d(x, m.mean as tf.Tensor1D, m.variance as tf.Tensor1D, beta, gamma, o.epsilon);
  const z = o.activation === 'relu' ? tf.relu(normed) : o.activation === 'relu6' ? tf.relu6(normed) : normed;
  return fakeQuantActivationTrain(z, amax, o.bits, o.signed, o.rangeMomentum, (range) =>
    sink?.({ mean: m.mean as tf.Tensor1D, variance: m.variance as tf.Tensor1D, amax: range, rows: tf.scalar(x.size / x.shape[3]) }),
  ) as tf.Tensor4D;
}
