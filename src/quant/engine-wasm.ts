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
import { roundHalfEven, roundShift } from './arith.js';
import type { AddLayerQ, ConvLayerQ, FcLayerQ, IntegerModel, PoolLayerQ, QuantTensor } from './model-types.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../core/paths.js';

interface Kernels {
  readonly memory: WebAssembly.Memory;
  gemm(x: number, xStride: number, P: number, w: number, O4: number, ip: number, acc: number, accStride: number): void;
  dwconv(
    x: number,
    inH: number,
    inW: number,
    xs: number,
    w: number,
    K: number,
    stride: number,
    pad: number,
    outH: number,
    outW: number,
    C8: number,
    acc: number,
  ): void;
  requant(
    acc: number,
    accStride: number,
    P: number,
    C: number,
    mul: number,
    bias: number,
    half: number,
    shift: number,
    perm: number,
    lo: bigint,
    hi: bigint,
    out: number,
    outStride: number,
  ): void;
  add(
    a: number,
    b: number,
    out: number,
    P: number,
    C: number,
    s: number,
    m0: bigint,
    m1: bigint,
    n: bigint,
    half: bigint,
    lo: bigint,
    hi: bigint,
  ): void;
}

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

const up = (n: number, k: number) => Math.ceil(n / k) * k;

/** A bump allocator of byte addresses, 16-aligned, with 16 bytes of slack after each block. */
class Arena {
  top = 64;
  alloc(bytes: number): number {
    const at = up(this.top, 16);
    this.top = at + up(bytes, 16) + 16;
    return at;
  }
}

interface TensorSlot {
  readonly at: number;
  readonly P: number;
  readonly C: number;
  /** Channel stride (elements). */
  readonly Cs: number;
}

interface RequantSlot {
  readonly mul: number;
  readonly bias: number;
  readonly half: number;
  readonly shift: number;
  readonly perm: number;
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
  const arena = new Arena();
  const tensors = new Map<string, TensorSlot>();
  const order: TensorSlot[] = [];
  const tensor = (name: string, P: number, C: number): TensorSlot => {
    const Cs = up(C, 8);
    const slot = { at: arena.alloc(P * Cs * 2), P, C, Cs };
    tensors.set(name, slot);
    order.push(slot);
    return slot;
  };
  const { height, width, channels } = model.input;
  const input = tensor('input', height * width, channels);
  // staged writes, done once the memory has its final size
  const writes: Array<(m: { i16: Int16Array; i32: Int32Array; i64: BigInt64Array }) => void> = [];
  let accBytes = 16;
  let colsBytes = 16;
  const requantSlot = (multiplier: number[], bias: number[], shift: number[], perm: number[]): RequantSlot => {
    const C = multiplier.length;
    const slot = {
      mul: arena.alloc(8 * C),
      bias: arena.alloc(8 * C),
      half: arena.alloc(8 * C),
      shift: arena.alloc(8 * C),
      perm: arena.alloc(4 * C),
    };
    writes.push(({ i32, i64 }) => {
      for (let o = 0; o < C; o++) {
        i64[slot.mul / 8 + o] = BigInt(multiplier[o]);
        i64[slot.bias / 8 + o] = BigInt(bias[o]);
        i64[slot.half / 8 + o] = shift[o] === 0 ? 1n : 1n << BigInt(shift[o] - 1);
        i64[slot.shift / 8 + o] = BigInt(shift[o]);
        i32[slot.perm / 4 + o] = perm[o];
      }
    });
    return slot;
  };
  type Step = (m: { i16: Int16Array; i32: Int32Array }) => void;
  const steps: Step[] = [];
  // scratch addresses, set once every layer has said how much it needs (closures read them)
  let acc = 0;
  let cols = 0;

  const conv = (L: ConvLayerQ, x: TensorSlot, y: TensorSlot): Step => {
    const { outC, kernel: K, stride, pad, inH, inW, outH, outW } = L;
    const P = outH * outW;
    const perm = L.permutation ?? Array.from({ length: outC }, (_, i) => i);
    const rq = requantSlot(L.requant.multiplier, L.requant.bias, L.requant.shift, perm);
    const lo = BigInt(L.clampLo);
    const hi = BigInt(L.clampHi);
    if (L.kind === 'dwconv') {
      const C8 = up(outC, 8);
      const w = arena.alloc(2 * K * K * C8);
      writes.push(({ i16 }) => {
        for (let c = 0; c < outC; c++) for (let j = 0; j < K * K; j++) i16[w / 2 + j * C8 + c] = L.weights[c * K * K + j];
      });
      accBytes = Math.max(accBytes, 4 * P * C8);
      return () => {
        k.dwconv(x.at, inH, inW, x.Cs, w, K, stride, pad, outH, outW, C8, acc);
        k.requant(acc, C8, P, outC, rq.mul, rq.bias, rq.half, rq.shift, rq.perm, lo, hi, y.at, y.Cs);
      };
    }
    const G = L.groups;
    const inPer = L.inC / G;
    const outPer = outC / G;
    const outPer4 = up(outPer, 4);
    const width = K * K * inPer;
    const ip = up(width, 8);
    const w = arena.alloc(2 * G * outPer4 * ip);
    writes.push(({ i16 }) => {
      for (let g = 0; g < G; g++) {
        for (let j = 0; j < outPer; j++) {
          const o = g * outPer + j;
          const row = w / 2 + (g * outPer4 + j) * ip;
          for (let i = 0; i < width; i++) i16[row + i] = L.weights[o * width + i];
        }
      }
    });
    const accStride = outC + 4; // slack: a group's gemm writes up to outPer4 columns
    accBytes = Math.max(accBytes, 4 * P * accStride);
    const pointwise = K === 1 && stride === 1 && pad === 0;
    if (!pointwise) colsBytes = Math.max(colsBytes, 2 * P * ip);
    return ({ i16 }) => {
      const accAt = acc;
      for (let g = 0; g < G; g++) {
        const wg = w + 2 * g * outPer4 * ip;
        const accG = accAt + 4 * g * outPer;
        if (pointwise) {
          k.gemm(x.at + 2 * g * inPer, x.Cs, P, wg, outPer4, ip, accG, accStride);
          continue;
        }
        // im2col rows [P][ip] of group g, zero where the window overhangs the input
        const c0 = cols / 2;
        i16.fill(0, c0, c0 + P * ip);
        const xb0 = x.at / 2 + g * inPer;
        for (let oy = 0; oy < outH; oy++) {
          for (let ox = 0; ox < outW; ox++) {
            const row = c0 + (oy * outW + ox) * ip;
            for (let ky = 0; ky < K; ky++) {
              const iy = oy * stride - pad + ky;
              if (iy < 0 || iy >= inH) continue;
              for (let kx = 0; kx < K; kx++) {
                const ix = ox * stride - pad + kx;
                if (ix < 0 || ix >= inW) continue;
                const xb = xb0 + (iy * inW + ix) * x.Cs;
                const cb = row + (ky * K + kx) * inPer;
                for (let i = 0; i < inPer; i++) i16[cb + i] = i16[xb + i];
              }
            }
          }
        }
        k.gemm(cols, ip, P, wg, outPer4, ip, accG, accStride);
      }
      k.requant(accAt, accStride, P, outC, rq.mul, rq.bias, rq.half, rq.shift, rq.perm, lo, hi, y.at, y.Cs);
    };
  };

  const add = (L: AddLayerQ, a: TensorSlot, b: TensorSlot, y: TensorSlot): Step => {
    const half = L.shift === 0 ? 1n : 1n << BigInt(L.shift - 1);
    const [m0, m1] = L.multiplier.map((m) => BigInt(m));
    const n = BigInt(L.shift);
    const lo = BigInt(L.clampLo);
    const hi = BigInt(L.clampHi);
    return () => k.add(a.at, b.at, y.at, y.P, y.C, y.Cs, m0, m1, n, half, lo, hi);
  };

  const pool = (L: PoolLayerQ, x: TensorSlot, y: TensorSlot): Step => {
    const { inH, inW, outH, outW, kernel: K, stride, pad } = L;
    const C = y.C;
    const slot = new Int32Array(K * K + 1).fill(-1);
    L.divisors.forEach((d, i) => (slot[d] = i));
    const sum = new Float64Array(C);
    return ({ i16 }) => {
      for (let oy = 0; oy < outH; oy++) {
        const y0 = Math.max(0, oy * stride - pad);
        const y1 = Math.min(inH, oy * stride - pad + K);
        for (let ox = 0; ox < outW; ox++) {
          const x0 = Math.max(0, ox * stride - pad);
          const x1 = Math.min(inW, ox * stride - pad + K);
          sum.fill(0);
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const xb = x.at / 2 + (iy * inW + ix) * x.Cs;
              for (let c = 0; c < C; c++) sum[c] += i16[xb + c];
            }
          }
          const d = slot[(y1 - y0) * (x1 - x0)];
          const ob = y.at / 2 + (oy * outW + ox) * y.Cs;
          for (let c = 0; c < C; c++) {
            const q = roundShift(sum[c] * L.multiplier[d], L.shift[d]);
            i16[ob + c] = q < L.clampLo ? L.clampLo : q > L.clampHi ? L.clampHi : q;
          }
        }
      }
    };
  };

  let fcAcc = new Int32Array(0);
  const fc = (L: FcLayerQ, x: TensorSlot, y: TensorSlot | null): Step => {
    const { inC, outC } = L;
    const w = Int32Array.from(L.weights);
    const accs = new Int32Array(outC);
    if (!y) fcAcc = accs;
    const { multiplier, bias, shift } = L.requant;
    return ({ i16 }) => {
      const xb = x.at / 2;
      for (let o = 0; o < outC; o++) {
        let a = 0;
        for (let i = 0; i < inC; i++) a += i16[xb + i] * w[o * inC + i];
        accs[o] = a;
        if (y) {
          const q = roundShift(a * multiplier[o] + bias[o], shift[o]);
          i16[y.at / 2 + o] = q < L.clampLo ? L.clampLo : q > L.clampHi ? L.clampHi : q;
        }
      }
    };
  };

  for (const L of model.layers) {
    const get = (name: string) => tensors.get(name) as TensorSlot;
    switch (L.kind) {
      case 'conv':
      case 'dwconv':
        steps.push(conv(L, get(L.input), tensor(L.name, L.outH * L.outW, L.outC)));
        break;
      case 'add':
        steps.push(add(L, get(L.inputs[0]), get(L.inputs[1]), tensor(L.name, L.height * L.width, L.channels)));
        break;
      case 'pool':
        steps.push(pool(L, get(L.input), tensor(L.name, L.outH * L.outW, L.outC)));
        break;
      case 'fc':
        steps.push(fc(L, get(L.input), L.output ? tensor(L.name, 1, L.outC) : null));
        break;
    }
  }
  acc = arena.alloc(accBytes);
  cols = arena.alloc(colsBytes);
  const pages = Math.ceil(arena.top / 65536);
  const have = k.memory.buffer.byteLength / 65536;
  if (pages > have) k.memory.grow(pages - have);
  const mem = { i16: new Int16Array(k.memory.buffer), i32: new Int32Array(k.memory.buffer), i64: new BigInt64Array(k.memory.buffer) };
  for (const write of writes) write(mem);

  const last = model.layers[model.layers.length - 1];
  const logitsOf = last.kind === 'fc' && last.output === null ? last : null;
  const outputs = logitsOf ? logitsOf.outC : order[order.length - 1].P * order[order.length - 1].C;
  const lastSlot = order[order.length - 1];
  const lastScale = last.output?.scale ?? 0;
  const inputSize = height * width * channels;
  const { scale, lo, hi } = model.input.quant;
  return {
    outputs,
    run(x, n, logits) {
      const { i16 } = mem;
      const from = n * inputSize;
      const base = input.at / 2;
      for (let p = 0; p < input.P; p++) {
        for (let c = 0; c < channels; c++) {
          const q = roundHalfEven(Math.fround(x[from + p * channels + c] / scale));
          i16[base + p * input.Cs + c] = q < lo ? lo : q > hi ? hi : q;
        }
      }
      for (const step of steps) step(mem);
      const at = n * outputs;
      let best = 0;
      if (logitsOf) {
        const { multiplier, bias, shift } = logitsOf.requant;
        const inv = 2 ** -shift[0];
        let bestValue = -Infinity;
        for (let o = 0; o < outputs; o++) {
          const v = fcAcc[o] * multiplier[o] + bias[o];
          logits[at + o] = v * inv;
          if (v > bestValue) {
            bestValue = v;
            best = o;
          }
        }
        return best;
      }
      const b = lastSlot.at / 2;
      let bestCode = -Infinity;
      for (let o = 0; o < outputs; o++) {
        const q = i16[b + Math.floor(o / lastSlot.C) * lastSlot.Cs + (o % lastSlot.C)];
        logits[at + o] = q * lastScale;
        if (q > bestCode) {
          bestCode = q;
          best = o;
        }
      }
      return best;
    },
    keep(into, n) {
      const { i16 } = mem;
      let t = 0;
      const copy = (slot: TensorSlot, dst: Int32Array) => {
        const size = slot.P * slot.C;
        for (let p = 0; p < slot.P; p++)
          for (let c = 0; c < slot.C; c++) dst[n * size + p * slot.C + c] = i16[slot.at / 2 + p * slot.Cs + c];
      };
      copy(input, into[t++]);
      for (const L of model.layers) {
        const slot = tensors.get(L.name);
        if (slot) copy(slot, into[t]);
        else into[t].set(fcAcc, n * fcAcc.length); // the final fc's accumulators
        t++;
      }
    },
  };
}
