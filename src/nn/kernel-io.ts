/**
 * What the project's training kernels (fused-kernels.ts, mixed-kernels.ts) share: how a
 * backend exposes tensor memory to JavaScript, and the scalar arithmetic both the cpu kernels
 * and the wasm kernels' JavaScript halves must do identically.
 */
import type * as tf from './tf.js';

export type Info = tf.TensorInfo;
export type Dtype = 'float32' | 'bool';

/** How a backend exposes tensor memory to JavaScript. */
export interface TensorIo {
  /** Allocate every output first (wasm may grow its heap), then take views. */
  alloc(shape: number[], dtype: Dtype): Info;
  f32(t: Info): Float32Array;
  u8(t: Info): Uint8Array;
}

export interface CpuBackendLike {
  data: { get(id: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: Dtype, values?: Float32Array | Uint8Array): Info;
}

export interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: Dtype): Info;
}

export interface WasmHeapBackend extends WasmBackendLike {
  wasm: WasmBackendLike['wasm'] & { _malloc(bytes: number): number; _free(ptr: number): void };
}

export function cpuIo(backend: CpuBackendLike): TensorIo {
  return {
    alloc: (shape, dtype) => {
      const size = shape.reduce((a, b) => a * b, 1);
      return backend.makeTensorInfo(shape, dtype, dtype === 'bool' ? new Uint8Array(size) : new Float32Array(size));
    },
    f32: (t) => backend.data.get(t.dataId).values as Float32Array,
    u8: (t) => backend.data.get(t.dataId).values as Uint8Array,
  };
}

/** Bytes of one quantisation level in the wasm kernels' level table: step, lo, hi, coef as f32x4. */
export const LEVEL_BYTES = 64;

/** Write J levels (step_j, lo_j, hi_j, coef_j, each splat to four lanes) at `at` on the heap. */
export function writeLevelTable(
  heap: ArrayBufferLike,
  at: number,
  step: ArrayLike<number>,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  coef: ArrayLike<number>,
): void {
  const t = new Float32Array(heap, at, (step.length * LEVEL_BYTES) / 4);
  for (let j = 0; j < step.length; j++) {
    const values = [step[j], lo[j], hi[j], coef[j]];
    for (let k = 0; k < 4; k++) t.fill(values[k], j * 16 + k * 4, j * 16 + k * 4 + 4);
  }
}

/** Round half to even, as tf.round does. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** The batch's range blended into the running one; the first batch takes its own. */
export function blendRange(old: number, peak: number, momentum: number): number {
  return old === 0 ? peak : Math.fround((1 - momentum) * old + momentum * peak);
}

/** Per-channel batch mean and biased variance of NHWC data (float64 accumulation). */
export function channelMoments(x: Float32Array, channels: number, mean: Float32Array, variance: Float32Array): void {
  const n = x.length / channels;
  const sum = new Float64Array(channels);
  for (let i = 0; i < x.length; i += channels) for (let c = 0; c < channels; c++) sum[c] += x[i + c];
  for (let c = 0; c < channels; c++) mean[c] = sum[c] / n;
  sum.fill(0);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const d = x[i + c] - mean[c];
      sum[c] += d * d;
    }
  }
  for (let c = 0; c < channels; c++) variance[c] = sum[c] / n;
}

/** activation 0 none, 1 relu, 2 relu6. */
export function activate(z: number, activation: number): number {
  if (activation === 0) return z;
  return z < 0 ? 0 : activation === 2 && z > 6 ? 6 : z;
}

/** The batch range from each channel's extremes: z = act(x·scale + shift) is monotonic in x. */
export function rangeFromExtremes(
  scale: Float32Array,
  shift: Float32Array,
  lowest: Float32Array,
  highest: Float32Array,
  activation: number,
  signed: boolean,
): number {
  let peak = 0;
  for (let c = 0; c < scale.length; c++) {
    for (const x of [lowest[c], highest[c]]) {
      // the module's f32 arithmetic: multiply, round, add, round (no fused multiply-add)
      const z = activate(Math.fround(Math.fround(x * scale[c]) + shift[c]), activation);
      peak = Math.max(peak, signed ? Math.abs(z) : z);
    }
  }
  return peak;
}
