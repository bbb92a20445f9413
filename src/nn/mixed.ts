/**
 * Mixed-precision ("heterogeneous sampling") fake quantisation for a supernet: one layer mixes
 * J bitwidths of the same tensor before its convolution, y = Σ_j c_j·Q_j(z), where Q_j is the
 * project's fake quantiser (quant.ts) at bits[j] and c a coefficient vector (a soft Gumbel
 * sample, straight-through top-k weights, …).
 *
 * Memory does not grow with J: on cpu and wasm one kernel (mixed-kernels.ts) computes the whole
 * sum in one pass and keeps, like the fused single-bitwidth ops (fused.ts), only the input, a
 * few per-channel vectors and a one-byte mask for the backward pass; the coefficient gradient
 * Σ dy·Q_j(z) is a second one-pass kernel that recomputes z from the saved input. The
 * composite of stock ops (the fallback on backends without the kernels, e.g. tfjs-node) is a
 * custom-gradient op that builds the sum one level at a time, freeing each level's temporaries
 * before the next, and likewise recomputes the levels in the backward pass.
 *
 * Gradients with respect to the input are the single-bitwidth straight-through rules: dy passes
 * where the activation is active and z lies inside the range of the level with the most bits
 * (every level has the same range [lo·step, hi·step] in exact arithmetic).
 */
import { ACTIVATION_RANGE_FLOOR } from '../core/numerics.js';
import type { StatisticsSink } from './fused.js';
import { BN_ACT_QUANT_GRAD, MASK_GRAD } from './fused-kernels.js';
import {
  MIX_ACT_COEF_GRAD,
  MIX_ACT_QUANT,
  MIX_BN_ACT_QUANT,
  MIX_BN_COEF_GRAD,
  type MixActAttrs,
  type MixBnAttrs,
  mixLevels,
  registerMixKernels,
  widestLevel,
} from './mixed-kernels.js';
import { weightScale } from './quant.js';
import * as tf from './tf.js';

export interface MixSpec {
  /** J ≥ 1 bitwidths, e.g. [4, 6, 8]. */
  readonly bits: readonly number[];
  /** J coefficients (any real values). */
  readonly coef: tf.Tensor1D;
  /** true: the backward pass computes d/dcoef_j = Σ dy·Q_j(·); false: zeros for coef. */
  readonly coefGrad: boolean;
}

export interface MixNormOptions {
  readonly activation: 'none' | 'relu' | 'relu6';
  readonly signed: boolean;
  readonly epsilon: number;
  readonly rangeMomentum: number;
}

type CustomArgs = Array<tf.Tensor | tf.GradSaveFunc>;
type Grad = tf.Tensor | tf.Tensor[];

const ACTIVATION_CODE = { none: 0, relu: 1, relu6: 2 } as const;

let mixKernels: 'auto' | 'off' = 'auto';

/** Tests compare the kernels with the composite: 'off' forces the composite (stock ops). */
export function setMixKernels(mode: 'auto' | 'off'): void {
  mixKernels = mode;
}

/** True when the active backend has the mixed-precision kernels (cpu and wasm do). */
function mixKernelsAvailable(): boolean {
  registerMixKernels();
  return tf.getKernel(MIX_BN_ACT_QUANT, tf.getBackend()) !== undefined;
}

function useKernels(): boolean {
  return mixKernels === 'auto' && mixKernelsAvailable();
}

function checkMix(mix: MixSpec): void {
  if (mix.bits.length < 1) throw new Error('mixed precision: needs at least one bitwidth');
  for (const q of mix.bits) {
    if (!Number.isInteger(q) || q < 2 || q > 24) throw new Error(`mixed precision: bitwidth ${q} is not an integer in 2…24`);
  }
  if (mix.coef.rank !== 1 || mix.coef.shape[0] !== mix.bits.length) {
    throw new Error(`mixed precision: coef has shape [${mix.coef.shape.join(', ')}], expected [${mix.bits.length}]`);
  }
}

const single = (t: Grad): tf.Tensor => (Array.isArray(t) ? t[0] : t);

// ---------------------------------------------------------------------------------------------
// Composite building blocks (stock ops)
// ---------------------------------------------------------------------------------------------

/** Σ_j term(j) in level order; each level's temporaries are freed before the next. */
function sumLevels(J: number, term: (j: number) => tf.Tensor): tf.Tensor {
  let acc: tf.Tensor | undefined;
  for (let j = 0; j < J; j++) {
    const prev = acc;
    acc = tf.tidy(() => (prev ? tf.add(prev, term(j)) : term(j)));
    if (prev) tf.dispose(prev);
  }
  return acc as tf.Tensor;
}

/** [Σ dy·q(0), …, Σ dy·q(J−1)], one level at a time. */
function coefGradLevels(J: number, dy: tf.Tensor, q: (j: number) => tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.stack(Array.from({ length: J }, (_, j) => tf.tidy(() => tf.sum(tf.mul(dy, q(j)))))));
}

function coefAt(coef: tf.Tensor, j: number): tf.Tensor {
  return tf.reshape(tf.slice(coef, [j], [1]), []);
}

/** The activation step of a level: max(range, ACTIVATION_RANGE_FLOOR) / hi. */
function actStep(range: tf.Tensor, hi: number): tf.Tensor {
  return tf.div(tf.maximum(range, ACTIVATION_RANGE_FLOOR), hi);
}

function quantiseWith(z: tf.Tensor, step: tf.Tensor, lo: number, hi: number): tf.Tensor {
  return tf.mul(tf.clipByValue(tf.round(tf.div(z, step)), lo, hi), step);
}

/** Activation levels of a mix as functions of z and the range. */
function activationLevels(bits: readonly number[], signed: boolean) {
  const levels = mixLevels(bits, signed);
  const w = levels[widestLevel(bits)];
  return {
    J: levels.length,
    quantise: (z: tf.Tensor, range: tf.Tensor, j: number) => quantiseWith(z, actStep(range, levels[j].hi), levels[j].lo, levels[j].hi),
    /** z inside the range of the level with the most bits. */
    inside: (z: tf.Tensor, range: tf.Tensor) => {
      const step = actStep(range, w.hi);
      return tf.logicalAnd(tf.greaterEqual(z, tf.mul(step, w.lo)), tf.lessEqual(z, tf.mul(step, w.hi)));
    },
  };
}

/** This batch's range blended into the running one; the first batch takes its own. */
function blendedRange(z: tf.Tensor, running: tf.Scalar, signed: boolean, momentum: number): tf.Tensor {
  const peak = signed ? tf.max(tf.abs(z)) : tf.max(z);
  const blended = tf.add(tf.mul(running, 1 - momentum), tf.mul(peak, momentum));
  return tf.where(tf.equal(running, 0), peak, blended);
}

/** The composite activation mix: Σ_j c_j·Q_j(x) with the range `rangeOf(x)`. */
function mixActComposite(x: tf.Tensor, signed: boolean, mix: MixSpec, rangeOf: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const L = activationLevels(mix.bits, signed);
  const op = tf.customGrad((...args: CustomArgs) => {
    const [xi, ci, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const range = rangeOf(xi);
    save([xi, range]);
    return {
      value: sumLevels(L.J, (j) => tf.mul(coefAt(ci, j), L.quantise(xi, range, j))),
      gradFunc: (dy: Grad, saved: tf.Tensor[]) => {
        const [xs, rs] = saved;
        const d = single(dy);
        const dx = tf.tidy(() => tf.where(L.inside(xs, rs), d, tf.zerosLike(d)));
        const dc = mix.coefGrad ? coefGradLevels(L.J, d, (j) => L.quantise(xs, rs, j)) : tf.zeros([L.J]);
        return [dx, dc];
      },
    };
  });
  return op(x, mix.coef);
}

// ---------------------------------------------------------------------------------------------
// Activation mix alone (input, add and pool outputs)
// ---------------------------------------------------------------------------------------------

/** Kernel path of both activation ops: one forward kernel, dy·mask and the coefficient kernel. */
function mixActKernel(x: tf.Tensor, amax: tf.Scalar, attrs: MixActAttrs, mix: MixSpec, sink?: (range: tf.Scalar) => void): tf.Tensor {
  const op = tf.customGrad((...args: CustomArgs) => {
    const [xi, ci, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [y, range, mask] = tf
      .engine()
      .runKernel(MIX_ACT_QUANT, { x: xi, amax, coef: ci }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    sink?.(range as tf.Scalar);
    save(mix.coefGrad ? [mask, xi, range] : [mask]);
    return {
      value: y,
      gradFunc: (dy: Grad, saved: tf.Tensor[]) => {
        const d = single(dy);
        const dx = single(tf.engine().runKernel(MASK_GRAD, { dy: d, mask: saved[0] }) as Grad);
        const dc = mix.coefGrad
          ? single(
              tf
                .engine()
                .runKernel(MIX_ACT_COEF_GRAD, { dy: d, x: saved[1], range: saved[2] }, attrs as unknown as tf.NamedAttrMap) as Grad,
            )
          : tf.zeros([attrs.bits.length]);
        return [dx, dc];
      },
    };
  });
  return op(x, mix.coef);
}

/**
 * Training: the batch range (max, or max |x| when signed) blended into the running one (the
 * first batch takes its own, like fakeQuantActivationTrain), then Σ_j c_j·Q_j(x); `sink`
 * receives the blended range while it exists (tf.keep what you keep).
 */
export function mixActQuantTrain(
  x: tf.Tensor,
  amax: tf.Scalar,
  signed: boolean,
  momentum: number,
  mix: MixSpec,
  sink: (range: tf.Scalar) => void,
): tf.Tensor {
  checkMix(mix);
  if (useKernels()) return mixActKernel(x, amax, { signed, rangeMomentum: momentum, update: true, bits: [...mix.bits] }, mix, sink);
  return mixActComposite(x, signed, mix, (xi) => {
    const range = blendedRange(xi, amax, signed, momentum);
    sink(range as tf.Scalar);
    return range;
  });
}

/** Inference: Σ_j c_j·Q_j(x) with the given (running) range, no update. */
export function mixActQuant(x: tf.Tensor, amax: tf.Scalar, signed: boolean, mix: MixSpec): tf.Tensor {
  checkMix(mix);
  if (useKernels()) return mixActKernel(x, amax, { signed, rangeMomentum: 0, update: false, bits: [...mix.bits] }, mix);
  return mixActComposite(x, signed, mix, () => tf.clone(amax));
}

// ---------------------------------------------------------------------------------------------
// Batch norm → activation → mix
// ---------------------------------------------------------------------------------------------

/**
 * Training: batch norm with batch statistics → activation → Σ_j c_j·Q_j. With `mix` undefined
 * there is no quantisation: the output is act(BN(x)) in float, and the range passed to the sink
 * is the old amax unchanged. `sink` receives the batch statistics as fused.ts's
 * normActQuantFused gives them (with replicas: the whole batch's).
 */
export function mixNormActQuant(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  amax: tf.Scalar,
  o: MixNormOptions,
  mix: MixSpec | undefined,
  sink?: StatisticsSink,
): tf.Tensor4D {
  if (mix) checkMix(mix);
  return useKernels() ? mixNormKernel(x, gamma, beta, amax, o, mix, sink) : mixNormComposite(x, gamma, beta, amax, o, mix, sink);
}

function mixNormKernel(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  amax: tf.Scalar,
  o: MixNormOptions,
  mix: MixSpec | undefined,
  sink?: StatisticsSink,
): tf.Tensor4D {
  const attrs: MixBnAttrs = {
    epsilon: o.epsilon,
    activation: ACTIVATION_CODE[o.activation],
    signed: o.signed,
    rangeMomentum: o.rangeMomentum,
    bits: mix ? [...mix.bits] : [],
  };
  const coefGrad = mix?.coefGrad === true;
  const op = tf.customGrad((...args: CustomArgs) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xi, g, b, ci] = args.slice(0, -1) as tf.Tensor[];
    const inputs: tf.NamedTensorMap = ci ? { x: xi, gamma: g, beta: b, amax, coef: ci } : { x: xi, gamma: g, beta: b, amax };
    const [y, mean, variance, range, mask, rows] = tf
      .engine()
      .runKernel(MIX_BN_ACT_QUANT, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    sink?.({ mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D, amax: range as tf.Scalar, rows: rows as tf.Scalar });
    save(coefGrad ? [xi, g, mean, variance, mask, b, range] : [xi, g, mean, variance, mask]);
    return {
      value: y,
      gradFunc: (dy: Grad, saved: tf.Tensor[]) => {
        const d = single(dy);
        const [xs, gs, ms, vs, masks, bs, rs] = saved;
        const grads = tf
          .engine()
          .runKernel(
            BN_ACT_QUANT_GRAD,
            { dy: d, x: xs, gamma: gs, mean: ms, variance: vs, mask: masks },
            { epsilon: o.epsilon },
          ) as tf.Tensor[];
        if (!mix) return grads;
        const dc = coefGrad
          ? single(
              tf
                .engine()
                .runKernel(
                  MIX_BN_COEF_GRAD,
                  { dy: d, x: xs, gamma: gs, beta: bs, mean: ms, variance: vs, range: rs },
                  attrs as unknown as tf.NamedAttrMap,
                ) as Grad,
            )
          : tf.zeros([mix.bits.length]);
        return [...grads, dc];
      },
    };
  });
  return (mix ? op(x, gamma, beta, mix.coef) : op(x, gamma, beta)) as tf.Tensor4D;
}

/** pre = x·scale + shift with scale = γ/√(σ² + ε), shift = β − μ·scale (as the kernels). */
function affine(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, epsilon: number): tf.Tensor {
  const scale = tf.div(gamma, tf.sqrt(tf.add(variance, epsilon)));
  const shift = tf.sub(beta, tf.mul(mean, scale));
  return tf.add(tf.mul(x, scale), shift);
}

function activation(pre: tf.Tensor, a: MixNormOptions['activation']): tf.Tensor {
  return a === 'relu' ? tf.relu(pre) : a === 'relu6' ? tf.relu6(pre) : pre;
}

/** Where the activation passes its gradient (undefined: everywhere). */
function activeMask(pre: tf.Tensor, a: MixNormOptions['activation']): tf.Tensor | undefined {
  if (a === 'none') return undefined;
  const positive = tf.greater(pre, 0);
  return a === 'relu' ? positive : tf.logicalAnd(positive, tf.less(pre, 6));
}

function mixNormComposite(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  amax: tf.Scalar,
  o: MixNormOptions,
  mix: MixSpec | undefined,
  sink?: StatisticsSink,
): tf.Tensor4D {
  const L = mix ? activationLevels(mix.bits, o.signed) : undefined;
  const channels = x.shape[3];
  const n = x.size / channels;
  const op = tf.customGrad((...args: CustomArgs) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xi, g, b, ci] = args.slice(0, -1) as tf.Tensor[];
    const m = tf.moments(xi, [0, 1, 2]);
    const z = activation(affine(xi, g, b, m.mean, m.variance, o.epsilon), o.activation);
    const range = L ? blendedRange(z, amax, o.signed, o.rangeMomentum) : tf.clone(amax);
    sink?.({ mean: m.mean as tf.Tensor1D, variance: m.variance as tf.Tensor1D, amax: range as tf.Scalar, rows: tf.scalar(n) });
    save([xi, g, b, m.mean, m.variance, range]);
    const value = L ? sumLevels(L.J, (j) => tf.mul(coefAt(ci, j), L.quantise(z, range, j))) : z;
    return {
      value,
      gradFunc: (dy: Grad, saved: tf.Tensor[]) => {
        const d = single(dy);
        const [xs, gs, bs, ms, vs, rs] = saved;
        // batch norm's backward through the mask: dz = dy·mask; dβ = Σ dz; dγ = Σ dz·x̂;
        // dx = γ/σ · (dz − dβ/N − x̂·dγ/N)
        const [dx, dgamma, dbeta] = tf.tidy(() => {
          const pre = affine(xs, gs, bs, ms, vs, o.epsilon);
          const act = activeMask(pre, o.activation);
          const inside = L ? L.inside(activation(pre, o.activation), rs) : undefined;
          const mask = act && inside ? tf.logicalAnd(act, inside) : (act ?? inside);
          const dz = mask ? tf.where(mask, d, tf.zerosLike(d)) : d;
          const inv = tf.div(1, tf.sqrt(tf.add(vs, o.epsilon)));
          const xhat = tf.mul(tf.sub(xs, ms), inv);
          const db = tf.sum(dz, [0, 1, 2]);
          const dg = tf.sum(tf.mul(dz, xhat), [0, 1, 2]);
          const centred = tf.sub(tf.sub(dz, tf.div(db, n)), tf.mul(xhat, tf.div(dg, n)));
          return [tf.mul(tf.mul(gs, inv), centred), dg, db];
        });
        if (!mix || !L) return [dx, dgamma, dbeta];
        const dc = mix.coefGrad
          ? tf.tidy(() => {
              const z2 = activation(affine(xs, gs, bs, ms, vs, o.epsilon), o.activation);
              return coefGradLevels(L.J, d, (j) => L.quantise(z2, rs, j));
            })
          : tf.zeros([L.J]);
        return [dx, dgamma, dbeta, dc];
      },
    };
  });
  return (mix ? op(x, gamma, beta, mix.coef) : op(x, gamma, beta)) as tf.Tensor4D;
}

// ---------------------------------------------------------------------------------------------
// Weights
// ---------------------------------------------------------------------------------------------

/**
 * Σ_j c_j·Q_j(w) with per-channel symmetric scales along channelAxis (conv [kh,kw,in,out]: 3;
 * depthwise [kh,kw,C,1]: 2; fc [in,out]: 1), each level as quant.ts's fakeQuantWeight. The
 * gradient to w is the straight-through identity; to coef Σ dy·Q_j(w) when coefGrad.
 */
export function mixQuantWeight(w: tf.Tensor, mix: MixSpec, channelAxis: number): tf.Tensor {
  checkMix(mix);
  const J = mix.bits.length;
  const quantise = (wi: tf.Tensor, j: number) => {
    const scale = weightScale(wi, mix.bits[j], channelAxis);
    return tf.mul(tf.round(tf.div(wi, scale)), scale);
  };
  const op = tf.customGrad((...args: CustomArgs) => {
    const [wi, ci, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save(mix.coefGrad ? [wi] : []);
    return {
      value: sumLevels(J, (j) => tf.mul(coefAt(ci, j), quantise(wi, j))),
      gradFunc: (dy: Grad, saved: tf.Tensor[]) => {
        const d = single(dy);
        return [d, mix.coefGrad ? coefGradLevels(J, d, (j) => quantise(saved[0], j)) : tf.zeros([J])];
      },
    };
  });
  return op(w, mix.coef);
}
