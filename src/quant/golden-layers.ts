/**
 * The layers of the scalar golden engine (golden.ts): each builder turns one integer layer into
 * a function that runs it on one image, reading its producers' buffers and writing its own
 * (typed arrays, nothing allocated per element; every intermediate exact in doubles).
 */
import { IntegerModelError, type AddLayerQ, type ConvLayerQ, type FcLayerQ, type PoolLayerQ, type Requant } from './model-types.js';

/** Runs one layer on one image: reads the producers' buffers, writes its own. */
export type LayerRun = (buffers: Int32Array[]) => void;

/** Requantisation constants of one channel set, unpacked for the inner loops. */
interface Rq {
  readonly m: Float64Array;
  readonly c: Float64Array;
  /** 2^shift, 2^−shift and 2^(shift−1) (0.5 for shift 0: never reached by a remainder). */
  readonly p: Float64Array;
  readonly inv: Float64Array;
  readonly half: Float64Array;
}

export function unpack(r: Requant): Rq {
  const n = r.multiplier.length;
  const p = new Float64Array(n);
  const inv = new Float64Array(n);
  const half = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    p[i] = 2 ** r.shift[i];
    inv[i] = 2 ** -r.shift[i];
    half[i] = p[i] / 2;
  }
  return { m: Float64Array.from(r.multiplier), c: Float64Array.from(r.bias), p, inv, half };
}

/** roundShift(v, n) of arith.ts with the constants precomputed (inlined by the JIT). */
function rshift(v: number, p: number, inv: number, half: number): number {
  const q = Math.floor(v * inv);
  const r = v - q * p;
  return r > half || (r === half && q % 2 !== 0) ? q + 1 : q;
}

function identityOr(perm: number[] | undefined, n: number): Int32Array {
  return perm ? Int32Array.from(perm) : Int32Array.from({ length: n }, (_, i) => i);
}

export function convStep(L: ConvLayerQ, src: number, dst: number): LayerRun {
  const { inH, inW, inC, outH, outW, outC, kernel: K, stride, pad } = L;
  const rq = unpack(L.requant);
  const perm = identityOr(L.permutation, outC);
  const lo = L.clampLo;
  const hi = L.clampHi;
  if (L.kind === 'dwconv') {
    // weights [c][ky][kx] → [ky][kx][c], so the inner loop runs over contiguous channels
    const w = new Int32Array(K * K * outC);
    for (let c = 0; c < outC; c++) for (let j = 0; j < K * K; j++) w[j * outC + c] = L.weights[c * K * K + j];
    const acc = new Float64Array(outC);
    return (b) => {
      const x = b[src];
      const y = b[dst];
      for (let oy = 0; oy < outH; oy++) {
        const iy0 = oy * stride - pad;
        const ky0 = Math.max(0, -iy0);
        const ky1 = Math.min(K, inH - iy0);
        for (let ox = 0; ox < outW; ox++) {
          const ix0 = ox * stride - pad;
          const kx0 = Math.max(0, -ix0);
          const kx1 = Math.min(K, inW - ix0);
          acc.fill(0);
          for (let ky = ky0; ky < ky1; ky++) {
            for (let kx = kx0; kx < kx1; kx++) {
              const xb = ((iy0 + ky) * inW + ix0 + kx) * inC;
              const wb = (ky * K + kx) * outC;
              for (let c = 0; c < outC; c++) acc[c] += x[xb + c] * w[wb + c];
            }
          }
          const ob = (oy * outW + ox) * outC;
          for (let c = 0; c < outC; c++) {
            const q = rshift(acc[c] * rq.m[c] + rq.c[c], rq.p[c], rq.inv[c], rq.half[c]);
            y[ob + perm[c]] = q < lo ? lo : q > hi ? hi : q;
          }
        }
      }
    };
  }
  const inPer = inC / L.groups;
  const outPer = outC / L.groups;
  const G = L.groups;
  const w = Int32Array.from(L.weights);
  const P = outH * outW;
  const acc = new Int32Array(P * outC);
  const pointwise = K === 1 && stride === 1 && pad === 0;
  const width = K * K * inPer;
  // im2col rows [P][K·K·inPer] of one group, zero where the window overhangs the padding
  const cols = pointwise ? new Int32Array(0) : new Int32Array(P * width);
  return (b) => {
    const x = b[src];
    const y = b[dst];
    for (let g = 0; g < G; g++) {
      if (pointwise) {
        gemm(x, g * inPer, inC, P, w, g * outPer * inPer, outPer, inPer, acc, outC, g * outPer);
        continue;
      }
      cols.fill(0);
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          const row = (oy * outW + ox) * width;
          for (let ky = 0; ky < K; ky++) {
            const iy = oy * stride - pad + ky;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < K; kx++) {
              const ix = ox * stride - pad + kx;
              if (ix < 0 || ix >= inW) continue;
              const xb = (iy * inW + ix) * inC + g * inPer;
              const cb = row + (ky * K + kx) * inPer;
              for (let i = 0; i < inPer; i++) cols[cb + i] = x[xb + i];
            }
          }
        }
      }
      gemm(cols, 0, width, P, w, g * outPer * width, outPer, width, acc, outC, g * outPer);
    }
    for (let p = 0; p < P; p++) {
      const ab = p * outC;
      for (let o = 0; o < outC; o++) {
        const q = rshift(acc[ab + o] * rq.m[o] + rq.c[o], rq.p[o], rq.inv[o], rq.half[o]);
        y[ab + perm[o]] = q < lo ? lo : q > hi ? hi : q;
      }
    }
  };
}

/**
 * acc[p·accStride + accOff + o] = Σ_i x[xOff + p·xStride + i] · w[wOff + o·I + i] for p < P,
 * o < O: the integer matrix product behind conv and fc, in blocks of 2 rows × 4 outputs (int32
 * throughout: the accumulator bound keeps every partial sum below 2^31).
 */
function gemm(
  x: Int32Array,
  xOff: number,
  xStride: number,
  P: number,
  w: Int32Array,
  wOff: number,
  O: number,
  I: number,
  acc: Int32Array,
  accStride: number,
  accOff: number,
): void {
  const O4 = O - (O % 4);
  let p = 0;
  for (; p + 1 < P; p += 2) {
    const xa = xOff + p * xStride;
    const xb = xa + xStride;
    const ya = p * accStride + accOff;
    const yb = ya + accStride;
    let o = 0;
    for (; o < O4; o += 4) {
      const w0 = wOff + o * I;
      const w1 = w0 + I;
      const w2 = w1 + I;
      const w3 = w2 + I;
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0,
        b0 = 0,
        b1 = 0,
        b2 = 0,
        b3 = 0;
      for (let i = 0; i < I; i++) {
        const u = x[xa + i];
        const v = x[xb + i];
        const k0 = w[w0 + i];
        const k1 = w[w1 + i];
        const k2 = w[w2 + i];
        const k3 = w[w3 + i];
        a0 += u * k0;
        a1 += u * k1;
        a2 += u * k2;
        a3 += u * k3;
        b0 += v * k0;
        b1 += v * k1;
        b2 += v * k2;
        b3 += v * k3;
      }
      acc[ya + o] = a0;
      acc[ya + o + 1] = a1;
      acc[ya + o + 2] = a2;
      acc[ya + o + 3] = a3;
      acc[yb + o] = b0;
      acc[yb + o + 1] = b1;
      acc[yb + o + 2] = b2;
      acc[yb + o + 3] = b3;
    }
    for (; o < O; o++) {
      const w0 = wOff + o * I;
      let a0 = 0;
      let b0 = 0;
      for (let i = 0; i < I; i++) {
        const k0 = w[w0 + i];
        a0 += x[xa + i] * k0;
        b0 += x[xb + i] * k0;
      }
      acc[ya + o] = a0;
      acc[yb + o] = b0;
    }
  }
  for (; p < P; p++) {
    const xa = xOff + p * xStride;
    const ya = p * accStride + accOff;
    for (let o = 0; o < O; o++) {
      const w0 = wOff + o * I;
      let a0 = 0;
      for (let i = 0; i < I; i++) a0 += x[xa + i] * w[w0 + i];
      acc[ya + o] = a0;
    }
  }
}

export function addStep(L: AddLayerQ, a: number, bIndex: number, dst: number): LayerRun {
  const n = L.height * L.width * L.channels;
  const [m0, m1] = L.multiplier;
  const p = 2 ** L.shift;
  const inv = 2 ** -L.shift;
  const half = p / 2;
  const lo = L.clampLo;
  const hi = L.clampHi;
  return (b) => {
    const x0 = b[a];
    const x1 = b[bIndex];
    const y = b[dst];
    for (let i = 0; i < n; i++) {
      const q = rshift(x0[i] * m0 + x1[i] * m1, p, inv, half);
      y[i] = q < lo ? lo : q > hi ? hi : q;
    }
  };
}

export function poolStep(L: PoolLayerQ, src: number, dst: number): LayerRun {
  const { inH, inW, inC: C, outH, outW, kernel: K, stride, pad } = L;
  const slot = new Int32Array(K * K + 1).fill(-1);
  L.divisors.forEach((d, i) => (slot[d] = i));
  const m = Float64Array.from(L.multiplier);
  const p = Float64Array.from(L.shift, (s) => 2 ** s);
  const inv = Float64Array.from(L.shift, (s) => 2 ** -s);
  const half = Float64Array.from(p, (v) => v / 2);
  const lo = L.clampLo;
  const hi = L.clampHi;
  const sum = new Float64Array(C);
  return (b) => {
    const x = b[src];
    const y = b[dst];
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * stride - pad;
      const y0 = Math.max(0, iy0);
      const y1 = Math.min(inH, iy0 + K);
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * stride - pad;
        const x0 = Math.max(0, ix0);
        const x1 = Math.min(inW, ix0 + K);
        sum.fill(0);
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const xb = (iy * inW + ix) * C;
            for (let c = 0; c < C; c++) sum[c] += x[xb + c];
          }
        }
        const k = slot[(y1 - y0) * (x1 - x0)];
        if (k < 0) throw new IntegerModelError(`${L.name}: window of ${(y1 - y0) * (x1 - x0)} pixels has no divisor entry`);
        const ob = (oy * outW + ox) * C;
        for (let c = 0; c < C; c++) {
          const q = rshift(sum[c] * m[k], p[k], inv[k], half[k]);
          y[ob + c] = q < lo ? lo : q > hi ? hi : q;
        }
      }
    }
  };
}

/** fc: with a quantised output, codes into dst; with float logits, accumulators into dst. */
export function fcStep(L: FcLayerQ, src: number, dst: number): LayerRun {
  const { inC, outC } = L;
  const w = Int32Array.from(L.weights);
  const rq = unpack(L.requant);
  const lo = L.clampLo;
  const hi = L.clampHi;
  const quantised = L.output !== null;
  const acc = new Int32Array(outC);
  return (b) => {
    const y = b[dst];
    gemm(b[src], 0, inC, 1, w, 0, outC, inC, quantised ? acc : y, outC, 0);
    if (!quantised) return;
    for (let o = 0; o < outC; o++) {
      const q = rshift(acc[o] * rq.m[o] + rq.c[o], rq.p[o], rq.inv[o], rq.half[o]);
      y[o] = q < lo ? lo : q > hi ? hi : q;
    }
  };
}
