/**
 * Kernels of the mixed-precision ops (see mixed.ts), registered for the `cpu` and `wasm`
 * backends like the fused kernels (fused-kernels.ts): y = Σ_j c_j·Q_j(z) over J bitwidths of
 * one tensor, computed in one pass with no per-level tensor, and the coefficient gradient
 * Σ dy·Q_j(z) in one pass that recomputes z from the saved input. The gradient with respect to
 * the input reuses the fused kernels (TripsBnActQuantGrad, TripsMaskGrad) through the one-byte
 * mask these forward kernels write.
 *
 * Arithmetic matches the single-bitwidth kernels of the same backend exactly, so one level with
 * coefficient 1 reproduces TripsBnActQuant / TripsActQuant bit for bit: on cpu
 * z = fround(x·scale + shift) (one rounding, as fused-kernels.ts's cpu kernel); on wasm the SIMD
 * module's fround(fround(x·scale) + shift).
 */
import { registerFusedKernels } from './fused-kernels.js';
import { activeReplica, combineMoments, combinePeak } from './replica.js';
import * as tf from './tf.js';
import {
  activate,
  blendRange,
  channelMoments,
  cpuIo,
  type CpuBackendLike,
  type Info,
  type TensorIo,
  type WasmHeapBackend,
} from './kernel-io.js';
import { mixActCoefGradWasm, mixActForwardWasm, mixBnCoefGradWasm, mixBnForwardWasm } from './mixed-kernels-wasm.js';
import {
  activeAt,
  affine,
  levelsFor,
  MIX_ACT_COEF_GRAD,
  MIX_ACT_QUANT,
  MIX_BN_ACT_QUANT,
  MIX_BN_COEF_GRAD,
  type MixActAttrs,
  type MixBnAttrs,
  mixValue,
  quantiseLevel,
} from './mixed-levels.js';

export {
  MIX_ACT_COEF_GRAD,
  MIX_ACT_QUANT,
  MIX_BN_ACT_QUANT,
  MIX_BN_COEF_GRAD,
  type MixActAttrs,
  type MixBnAttrs,
  mixLevels,
  widestLevel,
} from './mixed-levels.js';

// ---- cpu (the wasm kernels: mixed-kernels-wasm.ts) ----

function mixBnForwardCpu(io: TensorIo, inputs: Info[], a: MixBnAttrs): Info[] {
  const [x, gamma, beta, amax, coef] = inputs;
  const channels = x.shape[x.shape.length - 1];
  const outs = [
    io.alloc(x.shape, 'float32'),
    io.alloc([channels], 'float32'),
    io.alloc([channels], 'float32'),
    io.alloc([], 'float32'),
    io.alloc(x.shape, 'bool'),
    io.alloc([], 'float32'),
  ];
  const [xv, old] = [io.f32(x), io.f32(amax)[0]];
  const [y, mean, variance, range, mask] = [io.f32(outs[0]), io.f32(outs[1]), io.f32(outs[2]), io.f32(outs[3]), io.u8(outs[4])];
  channelMoments(xv, channels, mean, variance);
  const replica = activeReplica();
  const rows = xv.length / channels;
  io.f32(outs[5])[0] = replica
    ? combineMoments(replica, rows, mean, variance, new Float32Array(channels), new Float32Array(channels))
    : rows;
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  affine(io.f32(gamma), io.f32(beta), mean, variance, a.epsilon, scale, shift);
  const activation = Number(a.activation);
  const signed = Boolean(a.signed);
  const J = a.bits.length;
  // z = act(BN(x)) into y, and its peak
  let peak = 0;
  for (let i = 0; i < xv.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const z = activate(Math.fround(xv[i + c] * scale[c] + shift[c]), activation);
      y[i + c] = z;
      const m = signed ? Math.abs(z) : z;
      if (m > peak) peak = m;
    }
  }
  if (J === 0) {
    range[0] = old;
    for (let i = 0; i < y.length; i++) mask[i] = activeAt(y[i], activation) ? 1 : 0;
    return outs;
  }
  if (replica) peak = combinePeak(replica, peak);
  range[0] = blendRange(old, peak, a.rangeMomentum);
  const l = levelsFor(a.bits, signed, range[0], io.f32(coef));
  for (let i = 0; i < y.length; i++) {
    const z = y[i];
    y[i] = mixValue(z, l, J);
    mask[i] = activeAt(z, activation) && z >= l.low && z <= l.high ? 1 : 0;
  }
  return outs;
}

function mixBnCoefGradCpu(io: TensorIo, inputs: Info[], a: MixBnAttrs): Info[] {
  const [dy, x, gamma, beta, mean, variance, range] = inputs;
  const channels = x.shape[x.shape.length - 1];
  const J = a.bits.length;
  const out = io.alloc([J], 'float32');
  const [dyv, xv] = [io.f32(dy), io.f32(x)];
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  affine(io.f32(gamma), io.f32(beta), io.f32(mean), io.f32(variance), a.epsilon, scale, shift);
  const activation = Number(a.activation);
  const l = levelsFor(a.bits, Boolean(a.signed), io.f32(range)[0]);
  const sums = new Float64Array(J);
  for (let i = 0; i < xv.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const z = activate(Math.fround(xv[i + c] * scale[c] + shift[c]), activation);
      const d = dyv[i + c];
      for (let j = 0; j < J; j++) sums[j] += d * quantiseLevel(z, l.step[j], l.lo[j], l.hi[j]);
    }
  }
  io.f32(out).set(sums);
  return [out];
}

function mixActForwardCpu(io: TensorIo, inputs: Info[], a: MixActAttrs): Info[] {
  const [x, amax, coef] = inputs;
  const outs = [io.alloc(x.shape, 'float32'), io.alloc([], 'float32'), io.alloc(x.shape, 'bool')];
  const xv = io.f32(x);
  const old = io.f32(amax)[0];
  let range = old;
  if (a.update) {
    const signed = Boolean(a.signed);
    let peak = -Infinity;
    for (let i = 0; i < xv.length; i++) peak = Math.max(peak, signed ? Math.abs(xv[i]) : xv[i]);
    const replica = activeReplica();
    if (replica) peak = combinePeak(replica, peak);
    range = blendRange(old, peak, a.rangeMomentum);
  }
  io.f32(outs[1])[0] = range;
  const J = a.bits.length;
  const l = levelsFor(a.bits, Boolean(a.signed), io.f32(outs[1])[0], io.f32(coef));
  const [y, mask] = [io.f32(outs[0]), io.u8(outs[2])];
  for (let i = 0; i < xv.length; i++) {
    const z = xv[i];
    y[i] = mixValue(z, l, J);
    mask[i] = z >= l.low && z <= l.high ? 1 : 0;
  }
  return outs;
}

function mixActCoefGradCpu(io: TensorIo, inputs: Info[], a: MixActAttrs): Info[] {
  const [dy, x, range] = inputs;
  const J = a.bits.length;
  const out = io.alloc([J], 'float32');
  const [dyv, xv] = [io.f32(dy), io.f32(x)];
  const l = levelsFor(a.bits, Boolean(a.signed), io.f32(range)[0]);
  const sums = new Float64Array(J);
  for (let i = 0; i < xv.length; i++) {
    const d = dyv[i];
    for (let j = 0; j < J; j++) sums[j] += d * quantiseLevel(xv[i], l.step[j], l.lo[j], l.hi[j]);
  }
  io.f32(out).set(sums);
  return [out];
}

let registered = false;

/** Register the mixed-precision kernels (and the fused ones they reuse) for cpu and wasm. */
export function registerMixKernels(): void {
  registerFusedKernels();
  if (registered) return;
  registered = true;
  const cpu = (f: (io: TensorIo, inputs: Info[], attrs: never) => Info[]) =>
    (({ inputs, attrs, backend }) =>
      f(cpuIo(backend as unknown as CpuBackendLike), Object.values(inputs) as Info[], attrs as never)) as tf.KernelFunc;
  const wasm = (f: (b: WasmHeapBackend, inputs: Info[], attrs: never) => Info[]) =>
    (({ inputs, attrs, backend }) =>
      f(backend as unknown as WasmHeapBackend, Object.values(inputs) as Info[], attrs as never)) as tf.KernelFunc;
  const kernels: [string, tf.KernelFunc, tf.KernelFunc][] = [
    [MIX_BN_ACT_QUANT, cpu(mixBnForwardCpu), wasm(mixBnForwardWasm)],
    [MIX_BN_COEF_GRAD, cpu(mixBnCoefGradCpu), wasm(mixBnCoefGradWasm)],
    [MIX_ACT_QUANT, cpu(mixActForwardCpu), wasm(mixActForwardWasm)],
    [MIX_ACT_COEF_GRAD, cpu(mixActCoefGradCpu), wasm(mixActCoefGradWasm)],
  ];
  for (const [kernelName, onCpu, onWasm] of kernels) {
    tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc: onCpu });
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: onWasm });
  }
}
