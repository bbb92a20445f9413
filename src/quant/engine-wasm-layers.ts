/**
 * The fast golden engine's layers (engine-wasm.ts): a `PlanBuilder` lays every tensor, weight
 * and requantisation table of a model out in the kernels' memory and turns each layer into a
 * step — conv / grouped conv / depthwise through the SIMD GEMM and depthwise kernels, add
 * through the SIMD add, pool and fc in JS on the int16 codes. What stays true: the integer
 * arithmetic of golden.ts's scalar reference, bit for bit (test/quant: both engines per layer).
 */
import { roundShift } from './arith.js';
import type { AddLayerQ, ConvLayerQ, FcLayerQ, PoolLayerQ } from './model-types.js';

export interface Kernels {
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

export interface TensorSlot {
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

type Memory = { i16: Int16Array; i32: Int32Array; i64: BigInt64Array };
export type Step = (m: { i16: Int16Array; i32: Int32Array }) => void;

/**
 * Lays a model out layer by layer. Weights and constants are staged (`writes`) and written once
 * the memory has its final size; the scratch buffers (`acc`, `cols`) are placed after the last
 * layer has said how much it needs, and the steps read their addresses when they run.
 */
export class PlanBuilder {
  readonly arena = new Arena();
  readonly tensors = new Map<string, TensorSlot>();
  /** Every tensor in allocation order (the input first). */
  readonly order: TensorSlot[] = [];
  readonly writes: Array<(m: Memory) => void> = [];
  accBytes = 16;
  colsBytes = 16;
  acc = 0;
  cols = 0;
  /** The final fc's accumulators when it writes float logits. */
  fcAcc = new Int32Array(0);

  constructor(readonly k: Kernels) {}

  tensor(name: string, P: number, C: number): TensorSlot {
    const Cs = up(C, 8);
    const slot = { at: this.arena.alloc(P * Cs * 2), P, C, Cs };
    this.tensors.set(name, slot);
    this.order.push(slot);
    return slot;
  }

  /** Place the scratch buffers and grow the memory to hold everything; then write the staged constants. */
  finish(): Memory {
    this.acc = this.arena.alloc(this.accBytes);
    this.cols = this.arena.alloc(this.colsBytes);
    const pages = Math.ceil(this.arena.top / 65536);
    const have = this.k.memory.buffer.byteLength / 65536;
    if (pages > have) this.k.memory.grow(pages - have);
    const buffer = this.k.memory.buffer;
    const mem = { i16: new Int16Array(buffer), i32: new Int32Array(buffer), i64: new BigInt64Array(buffer) };
    for (const write of this.writes) write(mem);
    return mem;
  }

  private requantSlot(multiplier: number[], bias: number[], shift: number[], perm: number[]): RequantSlot {
    const C = multiplier.length;
    const slot = {
      mul: this.arena.alloc(8 * C),
      bias: this.arena.alloc(8 * C),
      half: this.arena.alloc(8 * C),
      shift: this.arena.alloc(8 * C),
      perm: this.arena.alloc(4 * C),
    };
    this.writes.push(({ i32, i64 }) => {
      for (let o = 0; o < C; o++) {
        i64[slot.mul / 8 + o] = BigInt(multiplier[o]);
        i64[slot.bias / 8 + o] = BigInt(bias[o]);
        i64[slot.half / 8 + o] = shift[o] === 0 ? 1n : 1n << BigInt(shift[o] - 1);
        i64[slot.shift / 8 + o] = BigInt(shift[o]);
        i32[slot.perm / 4 + o] = perm[o];
      }
    });
    return slot;
  }

  conv(L: ConvLayerQ, x: TensorSlot, y: TensorSlot): Step {
    const { outC, kernel: K, stride, pad, inH, inW, outH, outW } = L;
    const P = outH * outW;
    const perm = L.permutation ?? Array.from({ length: outC }, (_, i) => i);
    const rq = this.requantSlot(L.requant.multiplier, L.requant.bias, L.requant.shift, perm);
    const lo = BigInt(L.clampLo);
    const hi = BigInt(L.clampHi);
    if (L.kind === 'dwconv') {
      const C8 = up(outC, 8);
      const w = this.arena.alloc(2 * K * K * C8);
      this.writes.push(({ i16 }) => {
        for (let c = 0; c < outC; c++) for (let j = 0; j < K * K; j++) i16[w / 2 + j * C8 + c] = L.weights[c * K * K + j];
      });
      this.accBytes = Math.max(this.accBytes, 4 * P * C8);
      return () => {
        this.k.dwconv(x.at, inH, inW, x.Cs, w, K, stride, pad, outH, outW, C8, this.acc);
        this.k.requant(this.acc, C8, P, outC, rq.mul, rq.bias, rq.half, rq.shift, rq.perm, lo, hi, y.at, y.Cs);
      };
    }
    const G = L.groups;
    const inPer = L.inC / G;
    const outPer = outC / G;
    const outPer4 = up(outPer, 4);
    const width = K * K * inPer;
    const ip = up(width, 8);
    const w = this.arena.alloc(2 * G * outPer4 * ip);
    this.writes.push(({ i16 }) => {
      for (let g = 0; g < G; g++) {
        for (let j = 0; j < outPer; j++) {
          const o = g * outPer + j;
          const row = w / 2 + (g * outPer4 + j) * ip;
          for (let i = 0; i < width; i++) i16[row + i] = L.weights[o * width + i];
        }
      }
    });
    const accStride = outC + 4; // slack: a group's gemm writes up to outPer4 columns
    this.accBytes = Math.max(this.accBytes, 4 * P * accStride);
    const pointwise = K === 1 && stride === 1 && pad === 0;
    if (!pointwise) this.colsBytes = Math.max(this.colsBytes, 2 * P * ip);
    return ({ i16 }) => {
      const accAt = this.acc;
      for (let g = 0; g < G; g++) {
        const wg = w + 2 * g * outPer4 * ip;
        const accG = accAt + 4 * g * outPer;
        if (pointwise) {
          this.k.gemm(x.at + 2 * g * inPer, x.Cs, P, wg, outPer4, ip, accG, accStride);
          continue;
        }
        // im2col rows [P][ip] of group g, zero where the window overhangs the input
        const c0 = this.cols / 2;
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
        this.k.gemm(this.cols, ip, P, wg, outPer4, ip, accG, accStride);
      }
      this.k.requant(accAt, accStride, P, outC, rq.mul, rq.bias, rq.half, rq.shift, rq.perm, lo, hi, y.at, y.Cs);
    };
  }

  add(L: AddLayerQ, a: TensorSlot, b: TensorSlot, y: TensorSlot): Step {
    const half = L.shift === 0 ? 1n : 1n << BigInt(L.shift - 1);
    const [m0, m1] = L.multiplier.map((m) => BigInt(m));
    const n = BigInt(L.shift);
    const lo = BigInt(L.clampLo);
    const hi = BigInt(L.clampHi);
    return () => this.k.add(a.at, b.at, y.at, y.P, y.C, y.Cs, m0, m1, n, half, lo, hi);
  }

  pool(L: PoolLayerQ, x: TensorSlot, y: TensorSlot): Step {
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
  }

  fc(L: FcLayerQ, x: TensorSlot, y: TensorSlot | null): Step {
    const { inC, outC } = L;
    const w = Int32Array.from(L.weights);
    const accs = new Int32Array(outC);
    if (!y) this.fcAcc = accs;
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
  }
}
