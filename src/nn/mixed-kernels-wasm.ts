/**
 * The mixed-precision kernels on the `wasm` backend (registered by mixed-kernels.ts): the SIMD
 * module works in place on the backend's heap — forward y = Σ_j c_j·Q_j(z) with its one-byte
 * mask, and the coefficient gradient. What stays true: z = fround(fround(x·scale) + shift), as
 * the module's single-bitwidth kernel computes it, and every scratch buffer is freed.
 */
import { activeReplica, combineMoments, combinePeak } from './replica.js';
import { blendRange, type Info, LEVEL_BYTES, rangeFromExtremes, type WasmHeapBackend, writeLevelTable } from './kernel-io.js';
import { affine, type Levels, levelsFor, type MixActAttrs, type MixBnAttrs, sizeOf } from './mixed-levels.js';
import { tensorOffset, wasmKernelExports } from './wasm-module.js';

/** Bytes per level in the module's level table: step, lo, hi, coefficient, each ×4 lanes. */
/** Write the level table (J × LEVEL_BYTES) at `at`. */
function writeLevels(heap: ArrayBufferLike, at: number, l: Levels): void {
  writeLevelTable(heap, at, l.step, l.lo, l.hi, l.coef);
}

export function mixBnForwardWasm(backend: WasmHeapBackend, inputs: Info[], a: MixBnAttrs): Info[] {
  const k = wasmKernelExports(backend);
  const [x, gamma, beta, amax, coef] = inputs;
  const channels = x.shape[x.shape.length - 1];
  const rows = sizeOf(x.shape) / channels;
  const J = a.bits.length;
  const outs = [
    backend.makeOutput(x.shape, 'float32'),
    backend.makeOutput([channels], 'float32'),
    backend.makeOutput([channels], 'float32'),
    backend.makeOutput([], 'float32'),
    backend.makeOutput(x.shape, 'bool'),
    backend.makeOutput([], 'float32'),
  ];
  // scratch: 2·C f64 sums, then scale, shift, lowest, highest (C f32 each), then the levels
  const levels = channels * 32;
  const scratch = backend.wasm._malloc(levels + J * LEVEL_BYTES);
  try {
    const p = (t: Info) => tensorOffset(backend, t);
    const [y, mean, variance, range, mask, count] = outs.map(p);
    const at = (i: number) => scratch + channels * (16 + 4 * i);
    // the scale vector's space doubles as the moments' block accumulator (written after)
    k.bn_moments(p(x), rows, channels, mean, variance, at(2), at(3), scratch, at(0));
    const heap = backend.wasm.HEAPU8.buffer;
    const f32 = (ptr: number, n = channels) => new Float32Array(heap, ptr, n);
    const [mu, v] = [f32(mean), f32(variance)];
    const [scale, shift] = [f32(at(0)), f32(at(1))];
    const replica = activeReplica();
    f32(count, 1)[0] = replica ? combineMoments(replica, rows, mu, v, f32(at(2)), f32(at(3))) : rows;
    affine(f32(p(gamma)), f32(p(beta)), mu, v, a.epsilon, scale, shift);
    const activation = Number(a.activation);
    const old = f32(p(amax), 1)[0];
    if (J === 0) {
      f32(range, 1)[0] = old;
      k.bn_apply_mix(p(x), y, mask, rows, channels, at(0), at(1), activation, scratch, 0, -Infinity, Infinity);
      return outs;
    }
    // with replicas the extremes are the whole batch's already
    const peak = rangeFromExtremes(scale, shift, f32(at(2)), f32(at(3)), activation, Boolean(a.signed));
    f32(range, 1)[0] = blendRange(old, peak, a.rangeMomentum);
    const l = levelsFor(a.bits, Boolean(a.signed), f32(range, 1)[0], f32(p(coef), J));
    writeLevels(heap, scratch + levels, l);
    k.bn_apply_mix(p(x), y, mask, rows, channels, at(0), at(1), activation, scratch + levels, J, l.low, l.high);
  } finally {
    backend.wasm._free(scratch);
  }
  return outs;
}

export function mixBnCoefGradWasm(backend: WasmHeapBackend, inputs: Info[], a: MixBnAttrs): Info[] {
  const k = wasmKernelExports(backend);
  const [dy, x, gamma, beta, mean, variance, range] = inputs;
  const channels = x.shape[x.shape.length - 1];
  const rows = sizeOf(x.shape) / channels;
  const J = a.bits.length;
  const out = backend.makeOutput([J], 'float32');
  // scratch: J f64 sums, J f32x4 blocks, the level table, then scale and shift (C f32 each)
  const [sums, block, levels, scaleAt] = [0, J * 8, J * 24, J * (24 + LEVEL_BYTES)];
  const scratch = backend.wasm._malloc(scaleAt + channels * 8);
  try {
    const p = (t: Info) => tensorOffset(backend, t);
    const heap = backend.wasm.HEAPU8.buffer;
    const f32 = (ptr: number, n = channels) => new Float32Array(heap, ptr, n);
    affine(
      f32(p(gamma)),
      f32(p(beta)),
      f32(p(mean)),
      f32(p(variance)),
      a.epsilon,
      f32(scratch + scaleAt),
      f32(scratch + scaleAt + channels * 4),
    );
    writeLevels(heap, scratch + levels, levelsFor(a.bits, Boolean(a.signed), f32(p(range), 1)[0]));
    k.bn_mix_coef_grad(
      p(dy),
      p(x),
      rows,
      channels,
      scratch + scaleAt,
      scratch + scaleAt + channels * 4,
      Number(a.activation),
      scratch + levels,
      J,
      scratch + sums,
      scratch + block,
    );
    f32(p(out), J).set(new Float64Array(heap, scratch + sums, J));
  } finally {
    backend.wasm._free(scratch);
  }
  return [out];
}

export function mixActForwardWasm(backend: WasmHeapBackend, inputs: Info[], a: MixActAttrs): Info[] {
  const k = wasmKernelExports(backend);
  const [x, amax, coef] = inputs;
  const n = sizeOf(x.shape);
  const J = a.bits.length;
  const outs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput([], 'float32'), backend.makeOutput(x.shape, 'bool')];
  const scratch = backend.wasm._malloc(J * LEVEL_BYTES);
  try {
    const p = (t: Info) => tensorOffset(backend, t);
    const [y, range, mask] = outs.map(p);
    const heap = backend.wasm.HEAPU8.buffer;
    const old = new Float32Array(heap, p(amax), 1)[0];
    let blended = old;
    if (a.update) {
      const localPeak = k.peak_of(p(x), n, a.signed ? 1 : 0);
      const replica = activeReplica();
      blended = blendRange(old, replica ? combinePeak(replica, localPeak) : localPeak, a.rangeMomentum);
    }
    const r = new Float32Array(heap, range, 1);
    r[0] = blended;
    const l = levelsFor(a.bits, Boolean(a.signed), r[0], new Float32Array(heap, p(coef), J));
    writeLevels(heap, scratch, l);
    k.mix_quant(p(x), y, mask, n, scratch, J, l.low, l.high);
  } finally {
    backend.wasm._free(scratch);
  }
  return outs;
}

export function mixActCoefGradWasm(backend: WasmHeapBackend, inputs: Info[], a: MixActAttrs): Info[] {
  const k = wasmKernelExports(backend);
  const [dy, x, range] = inputs;
  const J = a.bits.length;
  const out = backend.makeOutput([J], 'float32');
  const [sums, block, levels] = [0, J * 8, J * 24];
  const scratch = backend.wasm._malloc(levels + J * LEVEL_BYTES);
  try {
    const p = (t: Info) => tensorOffset(backend, t);
    const heap = backend.wasm.HEAPU8.buffer;
    writeLevels(heap, scratch + levels, levelsFor(a.bits, Boolean(a.signed), new Float32Array(heap, p(range), 1)[0]));
    k.mix_coef_grad(p(dy), p(x), sizeOf(x.shape), scratch + levels, J, scratch + sums, scratch + block);
    new Float32Array(heap, p(out), J).set(new Float64Array(heap, scratch + sums, J));
  } finally {
    backend.wasm._free(scratch);
  }
  return [out];
}
