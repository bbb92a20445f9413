/**
 * The golden integer inference of an IntegerModel (docs/quant.md): after the input is
 * quantised, only integer arithmetic (exact in doubles: every intermediate stays below 2^53).
 * The HLS C++ and the RTL must reproduce every layer's codes bit for bit; `layers: true` returns
 * them as golden vectors.
 *
 * This file is the scalar reference engine, written to be read next to docs/quant.md: one image
 * at a time through preallocated per-layer buffers, the model compiled once per model object
 * into a plan of per-layer functions (golden-layers.ts). engine-wasm.ts computes the same integers
 * with WebAssembly SIMD; `runInteger` uses it where it can (tests hold the two bit-identical).
 */
import { roundHalfEven } from './arith.js';
import { compileWasm, wasmEngineSupports, type WasmPlan } from './engine-wasm.js';
import { addStep, convStep, fcStep, poolStep, unpack, type LayerRun } from './golden-layers.js';
import { IntegerModelError, type IntegerModel } from './model-types.js';

interface RunOptions {
  /** Return every layer's integer output (and the quantised input) as golden vectors. */
  readonly layers?: boolean;
  /**
   * `js`: the scalar reference below; `wasm`: the same arithmetic with WebAssembly SIMD
   * kernels (engine-wasm.ts, about 10× faster); `auto` (default): wasm where it can run.
   */
  readonly engine?: 'auto' | 'js' | 'wasm';
}

interface IntegerResult {
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

interface Step {
  readonly name: string;
  readonly out: number;
  readonly size: number;
  /** The producers' buffers. */
  readonly inputs: number[];
  readonly run: LayerRun;
}

interface Plan {
  readonly inputSize: number;
  readonly steps: Step[];
  readonly bufferSizes: number[];
  readonly outputs: number;
  /** Writes the current image's logits and returns its prediction. */
  readonly finish: (buffers: Int32Array[], logits: Float64Array, at: number) => number;
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
    if (model.format !== 'trips-hw-integer-model' || model.version !== 1)
      throw new IntegerModelError(`not an integer model (format ${String(model.format)} version ${String(model.version)})`);
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
  const kept = options.layers
    ? [new Int32Array(batch * plan.inputSize), ...plan.steps.map((s) => new Int32Array(batch * s.size))]
    : undefined;
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
  const kept = options.layers
    ? [new Int32Array(batch * plan.inputSize), ...plan.steps.map((s) => new Int32Array(batch * s.size))]
    : undefined;
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
  if (inputs.length !== step.inputs.length)
    throw new IntegerModelError(`runLayer: ${name} takes ${step.inputs.length} inputs, got ${inputs.length}`);
  const buffers = plan.bufferSizes.map((n) => new Int32Array(n));
  step.inputs.forEach((b, k) => {
    if (inputs[k].length !== batch * plan.bufferSizes[b]) {
      throw new IntegerModelError(
        `runLayer: ${name} input ${k} holds ${inputs[k].length} codes, expected ${batch} × ${plan.bufferSizes[b]}`,
      );
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
