/**
 * The TRIPS supernet (method.md §2–4): every candidate op of every cell with its own weights,
 * architecture logits α (cells × ops) and precision logits β (cells × ops × bitwidths), and
 * the three passes over it:
 *  - weight step: one op per cell (Gumbel top-1 of α); inside it, every bitwidth at once,
 *    mixed by a soft Gumbel-softmax sample of β on the quantised tensors **before one
 *    convolution** (src/nn/mixed.ts), so memory does not grow with the number of bitwidths;
 *  - arch step: the Gumbel top-2 ops of each cell are active, only the top-1 sets the value,
 *    both get gradient (straight-through weights 1 − w₁.sg + w₁ and 0 − w₂.sg + w₂); the same
 *    for the top-2 bitwidths inside each active op;
 *  - derived: the argmax path with running statistics (evaluation).
 * Candidate layers are the layers lowering would produce for that op in that cell (the same
 * shapes, names and quantisation points as the derived network), under keys
 * `c{cell}/{op}/{role}/…`; stem, head and classifier are shared and fixed at the space's bits.
 * The paths the passes run (what is sampled, the derived genotype) are in paths.ts; the
 * straight-through arithmetic in straight-through.ts; the hardware penalty in hardware-cost.ts.
 */
import type { LayerSpec } from '../core/network.js';
import { Rng } from '../core/random.js';
import { fusedAvailable, normActQuantComposite, normActQuantFused } from '../nn/fused.js';
import { type MixSpec, mixActQuantTrain, mixNormActQuant, mixQuantWeight } from '../nn/mixed.js';
import {
  applyActivation,
  averagePool,
  BN_EPSILON,
  BN_MOMENTUM,
  convolve,
  heNormal,
  INPUT_BITS,
  kernelShape,
  RANGE_MOMENTUM,
  shuffleChannels,
  statisticsSink,
} from '../nn/model.js';
import { fakeQuantActivation, fakeQuantActivationTrain, fakeQuantWeight } from '../nn/quant.js';
import * as tf from '../nn/tf.js';
import { lowerGenotypeToNetwork } from './lower-genotype.js';
import { type ArchPath, choicesOf, type WeightPath } from './paths.js';
import { listCells } from './spaces.js';
import { noisySoftmax, oneHotRows, topWeights } from './straight-through.js';
import type { CellSlot, GenotypeSpec, SearchSpaceSpec } from './types.js';

export interface Candidate {
  readonly cell: number;
  readonly op: string;
  readonly index: number;
  /** identity: no layer; conv: the skip's 1×1 conv; mbconv: expand, dw, project (+ add). */
  readonly kind: 'identity' | 'conv' | 'mbconv';
  /** Weight layers by role (`expand`, `dw`, `project`, `skip`). */
  readonly layers: ReadonlyMap<string, LayerSpec>;
  readonly residual: boolean;
}

export interface Supernet {
  readonly space: SearchSpaceSpec;
  readonly slots: readonly CellSlot[];
  readonly ops: readonly string[];
  readonly bits: readonly number[];
  readonly candidates: readonly (readonly Candidate[])[];
  readonly fixed: { readonly stem: LayerSpec; readonly head: LayerSpec; readonly pool: LayerSpec; readonly fc: LayerSpec };
  /** Network weights ω by key. */
  readonly trainable: ReadonlyMap<string, tf.Variable>;
  /** Running statistics and ranges by key. */
  readonly state: ReadonlyMap<string, tf.Variable>;
  /** α [cells, ops] and β [cells, ops, bits]: trained by the arch step only. */
  readonly alpha: tf.Variable;
  readonly beta: tf.Variable;
}

const ROLES = ['expand', 'dw', 'project', 'skip'] as const;

function roleOf(name: string): string {
  return name.slice(name.indexOf('_') + 1);
}

let supernetsCreated = 0;

export function createSupernet(space: SearchSpaceSpec, seed: number): Supernet {
  const slots = listCells(space);
  const ops = [...space.ops];
  const bits = [...space.bitwidths];
  // each op lowered in every cell: the candidate's layers are exactly the derived network's
  const lowered = ops.map((op) =>
    lowerGenotypeToNetwork(
      space,
      { version: 1, space: space.name, cells: slots.map(() => ({ op, bits: bits[0] })) },
      `${space.name}-${op}`,
    ),
  );
  const byName = (i: number, name: string) => lowered[i].layers.find((l) => l.name === name) as LayerSpec;
  const fixed = { stem: byName(0, 'stem'), head: byName(0, 'head'), pool: byName(0, 'pool'), fc: byName(0, 'fc') };
  const candidates = slots.map((slot) =>
    ops.map((op, index): Candidate => {
      const cellLayers = lowered[index].layers.filter((l) => l.cell === slot.index);
      const layers = new Map(cellLayers.filter((l) => l.kind !== 'add').map((l) => [roleOf(l.name), l] as const));
      const kind = op === 'skip' ? (layers.size === 0 ? 'identity' : 'conv') : 'mbconv';
      return { cell: slot.index, op, index, kind, layers, residual: cellLayers.some((l) => l.kind === 'add') };
    }),
  );
  const rng = new Rng(seed);
  const prefix = `supernet${++supernetsCreated}`;
  const trainable = new Map<string, tf.Variable>();
  const state = new Map<string, tf.Variable>();
  const add = (into: Map<string, tf.Variable>, key: string, value: tf.Tensor, train: boolean) =>
    into.set(key, tf.variable(value, train, `${prefix}/${key}`));
  const addLayer = (key: string, layer: LayerSpec, quantisedOutput: boolean) => {
    const { shape, fanIn } = kernelShape(layer);
    add(trainable, `${key}/kernel`, heNormal(rng, shape, fanIn), true);
    if (layer.kind === 'fc') {
      add(trainable, `${key}/bias`, tf.zeros([layer.outC]), true);
    } else {
      add(trainable, `${key}/gamma`, tf.ones([layer.outC]), true);
      add(trainable, `${key}/beta`, tf.zeros([layer.outC]), true);
      add(state, `${key}/moving_mean`, tf.zeros([layer.outC]), false);
      add(state, `${key}/moving_variance`, tf.ones([layer.outC]), false);
    }
    if (quantisedOutput) add(state, `${key}/amax`, tf.scalar(0), false);
  };
  add(state, 'input/amax', tf.scalar(0), false);
  addLayer('stem', fixed.stem, false);
  for (const row of candidates) {
    for (const c of row) {
      if (c.kind === 'identity') continue;
      const base = `c${c.cell}/${c.op}`;
      add(state, `${base}/in/amax`, tf.scalar(0), false);
      for (const role of ROLES) {
        const layer = c.layers.get(role);
        // an MBConv's project is quantised only when a residual add consumes it in the cell
        if (layer) addLayer(`${base}/${role}`, layer, role === 'expand' || role === 'dw' || (role === 'project' && c.residual));
      }
    }
  }
  add(state, 'head/in/amax', tf.scalar(0), false);
  addLayer('head', fixed.head, true);
  add(state, 'pool/amax', tf.scalar(0), false);
  addLayer('fc', fixed.fc, false);
  const alpha = tf.variable(tf.zeros([slots.length, ops.length]), true, `${prefix}/alpha`);
  const beta = tf.variable(tf.zeros([slots.length, ops.length, bits.length]), true, `${prefix}/beta`);
  return { space, slots, ops, bits, candidates, fixed, trainable, state, alpha, beta };
}

export function disposeSupernet(net: Supernet): void {
  for (const v of [...net.trainable.values(), ...net.state.values(), net.alpha, net.beta]) v.dispose();
}

// ---- passes ----

/** One bitwidth alone (fixed layers, derived passes). */
function singleBits(bits: number): MixSpec {
  return { bits: [bits], coef: tf.tensor1d([1]), coefGrad: false };
}

interface PassContext {
  readonly net: Supernet;
  readonly training: boolean;
  readonly updates: [tf.Variable, tf.Tensor][];
  /** Weights of this batch in the running statistics and ranges. */
  readonly momentum: Momenta;
}

/** Weights of a batch in the running BN statistics and in the running activation ranges. */
interface Momenta {
  readonly statistics: number;
  readonly range: number;
}

const TRAINING_MOMENTA: Momenta = { statistics: BN_MOMENTUM, range: RANGE_MOMENTUM };

function v(ctx: PassContext, key: string): tf.Variable {
  const found = ctx.net.trainable.get(key) ?? ctx.net.state.get(key);
  if (!found) throw new Error(`internal: supernet has no variable ${key}`);
  return found;
}

function channelAxis(layer: LayerSpec): number {
  return layer.kind === 'dwconv' ? 2 : layer.kind === 'fc' ? 1 : 3;
}

/**
 * Batch norm → activation → mixed quantisation of a conv output (training: batch statistics;
 * derived: running ones). mix undefined: the output stays float (its consumer quantises it).
 */
function normAct(ctx: PassContext, key: string, layer: LayerSpec, z: tf.Tensor4D, signed: boolean, mix: MixSpec | undefined): tf.Tensor4D {
  const gamma = v(ctx, `${key}/gamma`) as tf.Variable<tf.Rank.R1>;
  const beta = v(ctx, `${key}/beta`) as tf.Variable<tf.Rank.R1>;
  const mean = v(ctx, `${key}/moving_mean`) as tf.Variable<tf.Rank.R1>;
  const variance = v(ctx, `${key}/moving_variance`) as tf.Variable<tf.Rank.R1>;
  const amax = mix ? (v(ctx, `${key}/amax`) as tf.Variable<tf.Rank.R0>) : tf.scalar(0);
  if (!ctx.training) {
    const y = applyActivation(layer, tf.batchNorm4d(z, mean, variance, beta, gamma, BN_EPSILON));
    return mix ? (fakeQuantActivation(y, amax, mix.bits[0], signed) as tf.Tensor4D) : y;
  }
  const options = { activation: layer.activation, signed, epsilon: BN_EPSILON, rangeMomentum: ctx.momentum.range };
  return mixNormActQuant(
    z,
    gamma,
    beta,
    amax,
    options,
    mix,
    statisticsSink(mean, variance, mix ? (amax as tf.Variable) : undefined, ctx.updates, ctx.momentum.statistics),
  );
}

/** Quantise an input tensor against the running range `key` (mixed when training). */
function quantiseInput(ctx: PassContext, key: string, x: tf.Tensor, signed: boolean, mix: MixSpec): tf.Tensor {
  const amax = v(ctx, key) as tf.Variable<tf.Rank.R0>;
  if (!ctx.training) return fakeQuantActivation(x, amax, mix.bits[0], signed);
  return mixActQuantTrain(x, amax, signed, ctx.momentum.range, mix, (range) => ctx.updates.push([amax, tf.keep(tf.clone(range))]));
}

function weightOf(ctx: PassContext, key: string, layer: LayerSpec, mix: MixSpec): tf.Tensor {
  const w = v(ctx, `${key}/kernel`);
  if (!ctx.training) return fakeQuantWeight(w, mix.bits[0], channelAxis(layer));
  return mixQuantWeight(w, mix, channelAxis(layer));
}

/** One candidate op on the cell input h; the output is float (the next cell quantises it). */
function runCandidate(ctx: PassContext, c: Candidate, h: tf.Tensor4D, inputSigned: boolean, mix: MixSpec): tf.Tensor4D {
  if (c.kind === 'identity') return h;
  const base = `c${c.cell}/${c.op}`;
  const x = quantiseInput(ctx, `${base}/in/amax`, h, inputSigned, mix) as tf.Tensor4D;
  const conv = (role: string, input: tf.Tensor4D) => {
    const layer = c.layers.get(role) as LayerSpec;
    return { layer, z: convolve(layer, input, weightOf(ctx, `${base}/${role}`, layer, mix) as tf.Tensor4D) };
  };
  if (c.kind === 'conv') {
    const { layer, z } = conv('skip', x);
    return normAct(ctx, `${base}/skip`, layer, z, false, undefined);
  }
  const e = conv('expand', x);
  let y = normAct(ctx, `${base}/expand`, e.layer, e.z, false, mix);
  if (e.layer.shuffle) y = shuffleChannels(y, e.layer.shuffle);
  const d = conv('dw', y);
  y = normAct(ctx, `${base}/dw`, d.layer, d.z, false, mix);
  const p = conv('project', y);
  if (!c.residual) return normAct(ctx, `${base}/project`, p.layer, p.z, true, undefined);
  return tf.add(normAct(ctx, `${base}/project`, p.layer, p.z, true, mix), x) as tf.Tensor4D;
}

function stemPass(ctx: PassContext, x: tf.Tensor4D): tf.Tensor4D {
  const { stem } = ctx.net.fixed;
  const xq = quantiseInput(ctx, 'input/amax', x, true, singleBits(INPUT_BITS)) as tf.Tensor4D;
  const w = weightOf(ctx, 'stem', stem, singleBits(stem.bits)) as tf.Tensor4D;
  return normAct(ctx, 'stem', stem, convolve(stem, xq, w), false, undefined);
}

/** Head conv, pool and classifier at the space's fixed precision. */
function headPass(ctx: PassContext, h: tf.Tensor4D): tf.Tensor2D {
  const { head, pool, fc } = ctx.net.fixed;
  const hq = quantiseInput(ctx, 'head/in/amax', h, true, singleBits(head.bits)) as tf.Tensor4D;
  const hw = fakeQuantWeight(v(ctx, 'head/kernel'), head.bits, 3) as tf.Tensor4D;
  const z = convolve(head, hq, hw);
  let y: tf.Tensor4D;
  if (ctx.training) {
    const mean = v(ctx, 'head/moving_mean');
    const variance = v(ctx, 'head/moving_variance');
    const amax = v(ctx, 'head/amax') as tf.Variable<tf.Rank.R0>;
    const options = { activation: head.activation, bits: pool.bits, signed: false, epsilon: BN_EPSILON, rangeMomentum: ctx.momentum.range };
    y = (fusedAvailable() ? normActQuantFused : normActQuantComposite)(
      z,
      v(ctx, 'head/gamma') as tf.Variable<tf.Rank.R1>,
      v(ctx, 'head/beta') as tf.Variable<tf.Rank.R1>,
      amax,
      options,
      statisticsSink(mean, variance, amax, ctx.updates, ctx.momentum.statistics),
    );
  } else {
    y = normAct(ctx, 'head', head, z, false, singleBits(pool.bits));
  }
  const pooled = averagePool(pool, y);
  const poolAmax = v(ctx, 'pool/amax') as tf.Variable<tf.Rank.R0>;
  const pq = ctx.training
    ? fakeQuantActivationTrain(pooled, poolAmax, fc.bits, false, ctx.momentum.range, (range) =>
        ctx.updates.push([poolAmax, tf.keep(tf.clone(range))]),
      )
    : fakeQuantActivation(pooled, poolAmax, fc.bits, false);
  const w = fakeQuantWeight(v(ctx, 'fc/kernel'), fc.bits, 1);
  return tf.add(tf.matMul(tf.reshape(pq, [h.shape[0], fc.inC]), w), v(ctx, 'fc/bias')) as tf.Tensor2D;
}

interface SupernetPass {
  readonly logits: tf.Tensor2D;
  readonly updates: readonly [tf.Variable, tf.Tensor][];
}

/** A weight step's forward pass (training mode; running statistics queued in `updates`). */
export function weightForward(net: Supernet, x: tf.Tensor4D, path: WeightPath, momentum: Momenta = TRAINING_MOMENTA): SupernetPass {
  const ctx: PassContext = { net, training: true, updates: [], momentum };
  let h = stemPass(ctx, x);
  path.cells.forEach((cell, i) => {
    const mix: MixSpec = { bits: net.bits, coef: tf.tensor1d(Array.from(cell.coef)), coefGrad: false };
    h = runCandidate(ctx, net.candidates[i][cell.op], h, i !== 0, mix);
  });
  return { logits: headPass(ctx, h), updates: ctx.updates };
}

/**
 * An arch step's forward pass: differentiable in α and β through the straight-through top-2
 * weights (batch statistics; the running ones are not updated: `updates` are for disposal).
 */
export function archForward(net: Supernet, x: tf.Tensor4D, path: ArchPath, temperature: number): SupernetPass {
  const ctx: PassContext = { net, training: true, updates: [], momentum: TRAINING_MOMENTA };
  const ops = net.ops.length;
  const bits = net.bits.length;
  const alphaFlat = tf.reshape(net.alpha, [-1]) as tf.Tensor1D;
  const betaFlat = tf.reshape(net.beta, [-1]) as tf.Tensor1D;
  let h = stemPass(ctx, x);
  path.cells.forEach((cell, i) => {
    const opWeights = topWeights(
      alphaFlat,
      cell.ops.map((o) => i * ops + o),
      cell.opNoise,
      temperature,
    );
    let out: tf.Tensor4D | undefined;
    cell.ops.forEach((op, k) => {
      const b = cell.bits[k];
      const at = b.top.map((j) => (i * ops + op) * bits + j);
      const bitWeights = b.soft ? noisySoftmax(betaFlat, at, b.noise, temperature) : topWeights(betaFlat, at, b.noise, temperature);
      // the J coefficients: the straight-through weights at the top bitwidths, zero elsewhere
      const coef = b.soft
        ? bitWeights
        : (tf.reshape(tf.matMul(tf.reshape(bitWeights, [1, -1]), tf.tensor2d(oneHotRows(b.top, bits), [b.top.length, bits])), [
            bits,
          ]) as tf.Tensor1D);
      const mix: MixSpec = { bits: net.bits, coef, coefGrad: true };
      const o = tf.mul(runCandidate(ctx, net.candidates[i][op], h, i !== 0, mix), tf.slice(opWeights, [k], [1])) as tf.Tensor4D;
      out = out ? (tf.add(out, o) as tf.Tensor4D) : o;
    });
    h = out as tf.Tensor4D;
  });
  return { logits: headPass(ctx, h), updates: ctx.updates };
}

/** The derived (argmax) path in inference mode: running statistics and ranges. */
export function derivedForward(net: Supernet, x: tf.Tensor4D, genotype: GenotypeSpec): tf.Tensor2D {
  const ctx: PassContext = { net, training: false, updates: [], momentum: TRAINING_MOMENTA };
  let h = stemPass(ctx, x);
  choicesOf(net, genotype).forEach(({ op, bit }, i) => {
    h = runCandidate(ctx, net.candidates[i][op], h, i !== 0, singleBits(net.bits[bit]));
  });
  return headPass(ctx, h);
}
