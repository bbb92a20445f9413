/**
 * The golden integer inference of an IntegerModel (docs/quant.md): after the input is
 * quantised, only integer arithmetic (exact in doubles: every intermediate stays below 2^53).
 * The HLS C++ and the RTL must reproduce every layer's codes bit for bit; `layers: true` returns
 * them as golden vectors.
 *
 * This file is the scalar reference engine, written to be read next to docs/quant.md: one image
 * at a time through preallocated per-layer buffers (typed arrays, nothing allocated per
 * element), the model compiled once per model object. engine-wasm.ts computes the same integers
 * with WebAssembly SIMD; `runInteger` uses it where it can (tests hold the two bit-identical).
 */
import { roundHalfEven } from './arith.js';
import { compileWasm, wasmEngineSupports, type WasmPlan } from './engine-wasm.js';
import { IntegerModelError, type AddLayerQ, type ConvLayerQ, type FcLayerQ, type IntegerModel, type PoolLayerQ, type Requant } from './model-types.js';

export interface RunOptions {
  /** Return every layer's integer output (and the quantised input) as golden vectors. */
  readonly layers?: boolean;
  /**
   * `js`: the scalar reference below; `wasm`: the same arithmetic with WebAssembly SIMD
   * kernels (engine-wasm.ts, about 10× faster); `auto` (default): wasm where it can run.
   */
  readonly engine?: 'auto' | 'js' | 'wasm';
}

export interface IntegerResult {
  /**
   * [batch, outputs] logits. Float logits (a final fc with outBits 32): the exact value of
   * (acc·m + c)·2^−shift; a quantised final layer: code · scale.
   */
  readonly logits: Float64Array;
  /** Argmax of the integer logits per image; the first class on a tie. */
  readonly predictions: Int32Array;
  /**
   * With `layers`: `input` and every layer by name, NHWC codes [batch, H, W, C] (after the
   * channel shuffle, as the consumer reads them). For a final fc with float logits, its
   * accumulators acc_c (the logit integers acc·m + c may exceed 32 bits).
   */
  readonly layers?: Map<string, Int32Array>;
}

/** Requantisation constants of one channel set, unpacked for the inner loops. */
interface Rq {
  readonly m: Float64Array;
  readonly c: Float64Array;
  /** 2^shift, 2^−shift and 2^(shift−1) (0.5 for shift 0: never reached by a remainder). */
  readonly p: Float64Array;
  readonly inv: Float64Array;
  readonly half: Float64Array;
}

function unpack(r: Requant): Rq {
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

interface Step {
  readonly name: string;
  readonly out: number;
  readonly size: number;
  /** The producers' buffers. */
  readonly inputs: number[];
  /** Runs the layer on one image: reads the producers' buffers, writes its own. */
  readonly run: (buffers: Int32Array[]) => void;
}

interface Plan {
  readonly inputSize: number;
  readonly steps: Step[];
  readonly bufferSizes: number[];
  readonly outputs: number;
  /** Writes the current image's logits and returns its prediction. */
  readonly finish: (buffers: Int32Array[], logits: Float64Array, at: number) => number;
}

function identityOr(perm: number[] | undefined, n: number): Int32Array {
  return perm ? Int32Array.from(perm) : Int32Array.from({ length: n }, (_, i) => i);
}

function convStep(L: ConvLayerQ, src: number, dst: number): Step['run'] {
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
function gemm(x: Int32Array, xOff: number, xStride: number, P: number, w: Int32Array, wOff: number, O: number, I: number, acc: Int32Array, accStride: number, accOff: number): void {
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
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
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

function addStep(L: AddLayerQ, a: number, bIndex: number, dst: number): Step['run'] {
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

function poolStep(L: PoolLayerQ, src: number, dst: number): Step['run'] {
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
function fcStep(L: FcLayerQ, src: number, dst: number): Step['run'] {
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

function compile(model: IntegerModel): Plan {
  const index = new Map<string, number>([['input', 0]]);
  const { height, width, channels } = model.input;
  const bufferSizes = [height * width * channels];
  const steps: Step[] = [];
  const source = (layer: string, name: string): number => {
    const i = index.get(name);
    if (i === undefined) throw new IntegerModelError(`${layer}: input "${name}" is not an earlier layer`);
    return i;
  };
  for (const L of model.layers) {
    const dst = bufferSizes.length;
    let size: number;
    let run: Step['run'];
    switch (L.kind) {
      case 'conv':
      case 'dwconv':
        size = L.outH * L.outW * L.outC;
        run = convStep(L, source(L.name, L.input), dst);
        break;
      case 'add':
        size = L.height * L.width * L.channels;
        run = addStep(L, source(L.name, L.inputs[0]), source(L.name, L.inputs[1]), dst);
        break;
      case 'pool':
        size = L.outH * L.outW * L.outC;
        run = poolStep(L, source(L.name, L.input), dst);
        break;
      case 'fc':
        size = L.outC;
        run = fcStep(L, source(L.name, L.input), dst);
        break;
    }
    index.set(L.name, dst);
    bufferSizes.push(size);
    const inputs = (L.kind === 'add' ? L.inputs : [L.input]).map((name) => source(L.name, name));
    steps.push({ name: L.name, out: dst, size, inputs, run });
  }
  const last = model.layers[model.layers.length - 1];
  const lastBuffer = bufferSizes.length - 1;
  const outputs = bufferSizes[lastBuffer];
  let finish: Plan['finish'];
  if (last.kind === 'fc' && last.output === null) {
    const rq = unpack(last.requant);
    const inv = rq.inv[0];
    finish = (b, logits, at) => {
      const acc = b[lastBuffer];
      let best = 0;
      let bestValue = -Infinity;
      for (let o = 0; o < outputs; o++) {
        const v = acc[o] * rq.m[o] + rq.c[o]; // the integer logit, exact (|v| < 2^53)
        logits[at + o] = v * inv;
        if (v > bestValue) {
          bestValue = v;
          best = o;
        }
      }
      return best;
    };
  } else {
    const scale = (last.output as { scale: number }).scale;
    finish = (b, logits, at) => {
      const q = b[lastBuffer];
      let best = 0;
      for (let o = 0; o < outputs; o++) {
        logits[at + o] = q[o] * scale;
        if (q[o] > q[best]) best = o;
      }
      return best;
    };
  }
  return { inputSize: bufferSizes[0], steps, bufferSizes, outputs, finish };
}

const plans = new WeakMap<IntegerModel, Plan>();

function planOf(model: IntegerModel): Plan {
  let plan = plans.get(model);
  if (!plan) {
    if (model.format !== 'trips-hw-integer-model' || model.version !== 1) throw new IntegerModelError(`not an integer model (format ${String(model.format)} version ${String(model.version)})`);
    plan = compile(model);
    plans.set(model, plan);
  }
  return plan;
}

/**
 * Quantise normalised inputs to the model's input codes exactly as the TF.js fake quantiser
 * does: code = clamp(rne(fround(x / s)), −127, 127) with s the float32 input scale.
 */
export function quantiseInput(model: IntegerModel, x: ArrayLike<number>, out: Int32Array, from = 0, count = out.length): void {
  const { scale, lo, hi } = model.input.quant;
  for (let i = 0; i < count; i++) {
    const q = roundHalfEven(Math.fround(x[from + i] / scale));
    out[i] = q < lo ? lo : q > hi ? hi : q;
  }
}

const wasmPlans = new WeakMap<IntegerModel, WasmPlan>();

function wasmPlanOf(model: IntegerModel): WasmPlan {
  let plan = wasmPlans.get(model);
  if (!plan) {
    plan = compileWasm(model);
    wasmPlans.set(model, plan);
  }
  return plan;
}

/** Bit-exact integer inference of `batch` normalised NHWC images. */
export function runInteger(model: IntegerModel, input: Float32Array, batch: number, options: RunOptions = {}): IntegerResult {
  const plan = planOf(model);
  if (!Number.isInteger(batch) || batch < 0 || input.length !== batch * plan.inputSize) {
    throw new IntegerModelError(`runInteger: input holds ${input.length} values, expected batch ${batch} × ${plan.inputSize}`);
  }
  const engine = options.engine ?? 'auto';
  const fast = engine === 'wasm' || (engine === 'auto' && wasmEngineSupports(model));
  if (engine === 'wasm' && !wasmEngineSupports(model)) {
    throw new IntegerModelError('runInteger: the wasm engine needs WebAssembly SIMD and codes within int16 (use engine "js")');
  }
  if (fast) return runWasm(model, plan, input, batch, options);
  const buffers = plan.bufferSizes.map((n) => new Int32Array(n));
  const logits = new Float64Array(batch * plan.outputs);
  const predictions = new Int32Array(batch);
  const kept = options.layers ? [new Int32Array(batch * plan.inputSize), ...plan.steps.map((s) => new Int32Array(batch * s.size))] : undefined;
  for (let n = 0; n < batch; n++) {
    quantiseInput(model, input, buffers[0], n * plan.inputSize, plan.inputSize);
    for (const step of plan.steps) step.run(buffers);
    predictions[n] = plan.finish(buffers, logits, n * plan.outputs);
    if (kept) kept.forEach((k, i) => k.set(buffers[i], n * buffers[i].length));
  }
  if (!kept) return { logits, predictions };
  return { logits, predictions, layers: layerMap(plan, kept) };
}

function layerMap(plan: Plan, kept: Int32Array[]): Map<string, Int32Array> {
  const layers = new Map<string, Int32Array>([['input', kept[0]]]);
  plan.steps.forEach((s, i) => layers.set(s.name, kept[i + 1]));
  return layers;
}

function runWasm(model: IntegerModel, plan: Plan, input: Float32Array, batch: number, options: RunOptions): IntegerResult {
  const fast = wasmPlanOf(model);
  const logits = new Float64Array(batch * plan.outputs);
  const predictions = new Int32Array(batch);
  const kept = options.layers ? [new Int32Array(batch * plan.inputSize), ...plan.steps.map((s) => new Int32Array(batch * s.size))] : undefined;
  for (let n = 0; n < batch; n++) {
    predictions[n] = fast.run(input, n, logits);
    if (kept) fast.keep(kept, n);
  }
  return kept ? { logits, predictions, layers: layerMap(plan, kept) } : { logits, predictions };
}

/**
 * One layer on given input codes (the scalar engine): `inputs[k]` holds `batch` images of the
 * layer's k-th input tensor, NHWC codes. Returns its output codes (a final fc with float
 * logits: its accumulators). For testbenches and for checking one layer in isolation.
 */
export function runLayer(model: IntegerModel, name: string, inputs: readonly Int32Array[], batch: number): Int32Array {
  const plan = planOf(model);
  const step = plan.steps.find((s) => s.name === name);
  if (!step) throw new IntegerModelError(`runLayer: no layer "${name}"`);
  if (inputs.length !== step.inputs.length) throw new IntegerModelError(`runLayer: ${name} takes ${step.inputs.length} inputs, got ${inputs.length}`);
  const buffers = plan.bufferSizes.map((n) => new Int32Array(n));
  step.inputs.forEach((b, k) => {
    if (inputs[k].length !== batch * plan.bufferSizes[b]) {
      throw new IntegerModelError(`runLayer: ${name} input ${k} holds ${inputs[k].length} codes, expected ${batch} × ${plan.bufferSizes[b]}`);
    }
  });
  const out = new Int32Array(batch * step.size);
  for (let n = 0; n < batch; n++) {
    step.inputs.forEach((b, k) => buffers[b].set(inputs[k].subarray(n * plan.bufferSizes[b], (n + 1) * plan.bufferSizes[b])));
    step.run(buffers);
    out.set(buffers[step.out], n * step.size);
  }
  return out;
}
