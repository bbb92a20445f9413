/**
 * The fast engine of the golden model: the same integer arithmetic as the scalar reference in
 * golden.ts, with the heavy loops (matrix products of conv/fc, depthwise, requantisation, add)
 * in WebAssembly SIMD (kernels.wat). A test holds every layer of both engines bit-identical.
 *
 * Layout in the module's memory: every quantised tensor as int16 codes, NHWC with the channel
 * stride padded to a multiple of 8 (padding lanes stay zero); weights int16, rows padded with
 * zeros; int32 accumulators; requantisation constants int64. Codes must fit int16, so a model
 * with a 16-bit unsigned tensor (codes up to 65535) runs on the scalar engine instead.
 */
import { roundHalfEven } from './arith.js';
import { type Kernels, PlanBuilder, type Step, type TensorSlot } from './engine-wasm-layers.js';
import type { FcLayerQ, IntegerModel, QuantTensor } from './model-types.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../core/paths.js';

/** kernels.wat assembled by `npm run build:quant` (binaryen's wasm-as). */
export const KERNELS_WASM = join(PACKAGE_ROOT, 'dist', 'quant', 'kernels.wasm');

let compiled: WebAssembly.Module | null | undefined;

/** The kernels' module, or null where it is not built or WebAssembly SIMD is unavailable. */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(readFileSync(KERNELS_WASM));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const INT16_MAX = 32767;

/** True when the fast engine can run this model (WebAssembly SIMD, every code within int16). */
export function wasmEngineSupports(model: IntegerModel): boolean {
  if (!kernelModule()) return false;
  const fits = (t: QuantTensor | null) => t === null || (t.lo >= -INT16_MAX && t.hi <= INT16_MAX);
  return fits(model.input.quant) && model.layers.every((l) => fits(l.output) && (!('weightBits' in l) || l.weightBits <= 16));
}

export interface WasmPlan {
  readonly outputs: number;
  /** Runs image n of `input` and writes its logits; returns the prediction. */
  run(input: Float32Array, n: number, logits: Float64Array): number;
  /**
   * Copies the last image's input codes and every layer's output (unpadded NHWC int32; a final
   * fc with float logits: its accumulators) into `into[0]`, `into[1 + layer]` at image n.
   */
  keep(into: Int32Array[], n: number): void;
}

export function compileWasm(model: IntegerModel): WasmPlan {
  const module = kernelModule();
  if (!module) throw new Error('WebAssembly SIMD is unavailable');
  const k = new WebAssembly.Instance(module, {}).exports as unknown as Kernels;
  const plan = new PlanBuilder(k);
  const { tensors, order } = plan;
  const { height, width, channels } = model.input;
  const input = plan.tensor('input', height * width, channels);
  const steps: Step[] = [];
  for (const L of model.layers) {
    const get = (name: string) => tensors.get(name) as TensorSlot;
    switch (L.kind) {
      case 'conv':
      case 'dwconv':
        steps.push(plan.conv(L, get(L.input), plan.tensor(L.name, L.outH * L.outW, L.outC)));
        break;
      case 'add':
        steps.push(plan.add(L, get(L.inputs[0]), get(L.inputs[1]), plan.tensor(L.name, L.height * L.width, L.channels)));
        break;
      case 'pool':
        steps.push(plan.pool(L, get(L.input), plan.tensor(L.name, L.outH * L.outW, L.outC)));
        break;
      case 'fc':
        steps.push(plan.fc(L, get(L.input), L.output ? plan.tensor(L.name, 1, L.outC) : null));
        break;
    }
  }
  const mem = plan.finish();
  const last = model.layers[model.layers.length - 1];
  const logitsOf = last.kind === 'fc' && last.output === null ? last : null;
  const lastSlot = order[order.length - 1];
  const outputs = logitsOf ? logitsOf.outC : lastSlot.P * lastSlot.C;
  const lastScale = last.output?.scale ?? 0;
  const inputSize = height * width * channels;
  return {
    outputs,
    run(x, n, logits) {
      writeInput(mem.i16, input, x.subarray(n * inputSize, (n + 1) * inputSize), model.input.quant);
      for (const step of steps) step(mem);
      const out = logits.subarray(n * outputs, (n + 1) * outputs);
      return logitsOf ? readLogits(plan.fcAcc, logitsOf, out) : readCodes(mem.i16, lastSlot, lastScale, out);
    },
    keep(into, n) {
      let t = 0;
      copyOut(mem.i16, input, into[t++], n);
      for (const L of model.layers) {
        const slot = tensors.get(L.name);
        if (slot) copyOut(mem.i16, slot, into[t], n);
        else into[t].set(plan.fcAcc, n * plan.fcAcc.length); // the final fc's accumulators
        t++;
      }
    },
  };
}

/** An image's float values (NHWC) → the input tensor's codes, rounded half to even and clamped. */
function writeInput(i16: Int16Array, slot: TensorSlot, x: Float32Array, quant: QuantTensor): void {
  const { scale, lo, hi } = quant;
  const base = slot.at / 2;
  for (let p = 0; p < slot.P; p++) {
    for (let c = 0; c < slot.C; c++) {
      const q = roundHalfEven(Math.fround(x[p * slot.C + c] / scale));
      i16[base + p * slot.Cs + c] = q < lo ? lo : q > hi ? hi : q;
    }
  }
}

/** A final fc's float logits acc·m + bias (scaled by 2^-shift) into `logits`; returns the argmax. */
function readLogits(acc: Int32Array, L: FcLayerQ, logits: Float64Array): number {
  const { multiplier, bias, shift } = L.requant;
  const inv = 2 ** -shift[0];
  let best = 0;
  let bestValue = -Infinity;
  for (let o = 0; o < logits.length; o++) {
    const v = acc[o] * multiplier[o] + bias[o];
    logits[o] = v * inv;
    if (v > bestValue) {
      bestValue = v;
      best = o;
    }
  }
  return best;
}

/** The last tensor's codes × its scale into `logits`; returns the argmax of the codes. */
function readCodes(i16: Int16Array, slot: TensorSlot, scale: number, logits: Float64Array): number {
  const b = slot.at / 2;
  let best = 0;
  let bestCode = -Infinity;
  for (let o = 0; o < logits.length; o++) {
    const q = i16[b + Math.floor(o / slot.C) * slot.Cs + (o % slot.C)];
    logits[o] = q * scale;
    if (q > bestCode) {
      bestCode = q;
      best = o;
    }
  }
  return best;
}

/** A tensor's codes, unpadded NHWC, into image n of `dst`. */
function copyOut(i16: Int16Array, slot: TensorSlot, dst: Int32Array, n: number): void {
  const size = slot.P * slot.C;
  for (let p = 0; p < slot.P; p++) for (let c = 0; c < slot.C; c++) dst[n * size + p * slot.C + c] = i16[slot.at / 2 + p * slot.Cs + c];
}
