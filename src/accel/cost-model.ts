/**
 * The analytical cycle model of the chunk template — the hot path of every accelerator search.
 *
 * A chunk walks each layer as a tiled loop nest. With buffer tiles (tileM, tileN, tileR, tileC)
 * over (out channels M, in channels N, output rows R, output columns C), one *step* computes
 * an (mi × ni × ri × ci) block; a *tile* is one (m, r, c) output block, finished by streaming
 * its outputs through requantisation to DRAM. Transfers share the chunk's one DRAM port and
 * overlap compute through double buffering — step i's compute runs while step i+1 loads — so a
 * tile costs
 *     load_1 + Σ_{i<S} max(compute_i, load_{i+1}) + compute_S + output store
 *       = prologue + overlap + output,
 * with prologue = the first load (fill) + the last compute (drain); the steps are the full ones,
 * then the tail, so the sum is exact. A load includes the DRAM's read latency (every read chain
 * lands that much later).
 *   os (output-stationary): load = inputs + weights of the step; partial sums stay on chip.
 *   ws (weight-reuse):      load = inputs only; the weights of an m-tile (all N) are loaded
 *                           once per m-tile, not overlapped (`weightLoad`).
 * Every layer's cycles are the linear form Σ_k coef_k · term_k over the terms below, so
 * calibration can refit the coefficients (per layer class and loop order) from measurements.
 * Edge tiles are exact: each dimension splits into full tiles plus at most one tail tile.
 *
 * Layers and parameters are packed into Float64Arrays so that one evaluation allocates nothing.
 */
import type { CalibrationSpec, CoefficientKey, CostCoefficients, LayerClass, LoopOrder } from './types.js';
import { COST_TERMS } from './types.js';

// ---- packed layer rows ----------------------------------------------------------------------
export const ROW_SIZE = 13;
export const R_CLASS = 0; // 0 conv/fc, 1 depthwise, 2 add, 3 pool
export const R_M = 1; // out channels per sequential group (dw, add, pool: channels)
export const R_N = 2; // in channels per group (dw: 1)
export const R_R = 3; // output rows
export const R_C = 4; // output columns
export const R_K = 5; // kernel
export const R_S = 6; // stride
export const R_G = 7; // sequential groups (grouped conv runs group after group)
export const R_Q = 8; // input / weight bits
export const R_QO = 9; // output bits
export const R_MTOT = 10; // requantisation entries to load (conv: out channels; add: 2; pool: window sizes)
export const R_INPIX = 11; // input pixels (pool)
export const R_CDW = 12; // 1 when the layer's chunk is depthwise (its input words hold peM channels)

export const CLASS_CONV = 0;
export const CLASS_DW = 1;
export const CLASS_ADD = 2;
export const CLASS_POOL = 3;

// ---- packed chunk parameters ----------------------------------------------------------------
export const PARAM_SIZE = 9;
export const P_PARALLEL = 0; // 0 mn, 1 mp
export const P_ORDER = 1; // 0 os, 1 ws
export const P_TM = 2;
export const P_TN = 3;
export const P_TR = 4;
export const P_TC = 5;
export const P_PEM = 6;
export const P_PEN = 7;
export const P_PORT = 8;

// ---- coefficients -----------------------------------------------------------------------------
export const TERM_COUNT = COST_TERMS.length;
const T_OVERLAP = 0;
const T_PROLOGUE = 1;
const T_WEIGHTLOAD = 2;
const T_OUTPUT = 3;
const T_PARAMS = 4;
const T_STEPS = 5;
const T_TILES = 6;
const T_FIXED = 7;

/**
 * Bits the engine moves per requantisation entry, one table transfer each: a 64-bit bias
 * (|bias| < 2^53), then a 32-bit word holding the 24-bit multiplier and the 6-bit shift
 * (docs/rtl.md). Conv, depthwise and fc load one entry per output channel; an add two (its
 * input multipliers, the 32-bit words only); a pool one per window size from the smallest to
 * the largest that occurs (the 32-bit words only).
 */
const TABLE_BITS = [64, 32] as const;
/** Pipeline stages of the engine's MAC array (buffer read · operands · multiply · accumulate · write). */
export const COMPUTE_PIPE = 4;
/** Stages of the output path after the DMA's last word (accumulator read · operands · multiply · sum · shift · round · clamp and write: trips_outpath.sv). */
export const OUTPUT_PIPE = 7;

/**
 * Cycles of one transfer of `words` buffer words holding `bits` bits through a port of
 * `port` bits per cycle: the DMA moves at most one word per cycle (one write port per bank)
 * and the port's bits accumulate until a word is covered (trips_xfer.sv).
 */
export function transferCycles(words: number, bits: number, port: number): number {
  const p = Math.ceil(bits / port);
  return words > p ? words : p;
}

/**
 * The uncalibrated model: transfers and compute at face value, plus per-step pipeline fill,
 * per-tile control and per-layer descriptor overheads of the template's controller: 8 cycles
 * of tile setup and the output path's 7, 2 per step, a 59-word descriptor fetch (61) and the
 * done cycle per layer.
 */
export const DEFAULT_COEFFICIENTS: CostCoefficients = {
  overlap: 1,
  prologue: 1,
  weightLoad: 1,
  output: 1,
  params: 1,
  steps: 2,
  tiles: 8 + OUTPUT_PIPE,
  fixed: 62,
};

const LAYER_CLASSES: readonly LayerClass[] = ['conv', 'dw', 'eltwise'];
const LOOP_ORDERS: readonly LoopOrder[] = ['os', 'ws'];
const LAYER_CLASS_OF = { conv: 'conv', fc: 'conv', dwconv: 'dw', add: 'eltwise', pool: 'eltwise' } as const;

/** The coefficient set a layer of `kind` uses on a chunk with loop order `order`. */
export function coefficientKeyOf(kind: keyof typeof LAYER_CLASS_OF, order: LoopOrder): CoefficientKey {
  return `${LAYER_CLASS_OF[kind]}/${order}`;
}

/** Coefficients packed as [class (conv, dw, eltwise)][order (os, ws)][term]. */
export function packCoefficients(calibration?: CalibrationSpec): Float64Array {
  const packed = new Float64Array(LAYER_CLASSES.length * LOOP_ORDERS.length * TERM_COUNT);
  LAYER_CLASSES.forEach((cls, ci) =>
    LOOP_ORDERS.forEach((order, oi) => {
      const key: CoefficientKey = `${cls}/${order}`;
      const coef = calibration?.coefficients[key] ?? DEFAULT_COEFFICIENTS;
      COST_TERMS.forEach((term, ti) => {
        packed[(ci * LOOP_ORDERS.length + oi) * TERM_COUNT + ti] = coef[term];
      });
    }),
  );
  return packed;
}

function coefficientOffset(layerClass: number, order: number): number {
  const ci = layerClass >= CLASS_ADD ? 2 : layerClass;
  return (ci * 2 + order) * TERM_COUNT;
}

/**
 * Cycles of one layer (row at `o` of `rows`) on a chunk (parameters at `po` of `p`) whose DRAM
 * port delivers `port` bits per cycle and answers a read `latency` cycles after it is asked
 * (every read chain — the tables, a ws weight tile, a step's load, an add / pool tile's input —
 * lands that much later). When `terms` is given, the raw terms are written to it.
 */
export function layerCycles(
  rows: Float64Array,
  o: number,
  p: Float64Array,
  po: number,
  port: number,
  coef: Float64Array,
  terms: Float64Array | null,
  latency = 0,
): number {
  const cls = rows[o + R_CLASS];
  const order = p[po + P_ORDER];
  const t = cls <= CLASS_DW ? convTerms(rows, o, p, po, port, latency) : eltwiseTerms(rows, o, p, po, port, latency);
  const c = coefficientOffset(cls, order);
  if (terms !== null) {
    terms[T_OVERLAP] = t.overlap;
    terms[T_PROLOGUE] = t.prologue;
    terms[T_WEIGHTLOAD] = t.weightLoad;
    terms[T_OUTPUT] = t.output;
    terms[T_PARAMS] = t.params;
    terms[T_STEPS] = t.steps;
    terms[T_TILES] = t.tiles;
    terms[T_FIXED] = 1;
  }
  return (
    coef[c + T_OVERLAP] * t.overlap +
    coef[c + T_PROLOGUE] * t.prologue +
    coef[c + T_WEIGHTLOAD] * t.weightLoad +
    coef[c + T_OUTPUT] * t.output +
    coef[c + T_PARAMS] * t.params +
    coef[c + T_STEPS] * t.steps +
    coef[c + T_TILES] * t.tiles +
    coef[c + T_FIXED]
  );
}

/** Scratch result: reused across calls so the hot path allocates nothing. */
const scratch = { overlap: 0, prologue: 0, weightLoad: 0, output: 0, params: 0, steps: 0, tiles: 0 };

function convTerms(rows: Float64Array, o: number, p: Float64Array, po: number, port: number, latency: number): typeof scratch {
  const dw = rows[o + R_CLASS] === CLASS_DW;
  const M = rows[o + R_M];
  const N = rows[o + R_N];
  const R = rows[o + R_R];
  const C = rows[o + R_C];
  const K = rows[o + R_K];
  const S = rows[o + R_S];
  const G = rows[o + R_G];
  const q = rows[o + R_Q];
  const qo = rows[o + R_QO];
  const K2 = K * K;
  const mn = p[po + P_PARALLEL] === 0;
  const os = p[po + P_ORDER] === 0;
  const peM = p[po + P_PEM];
  const peN = p[po + P_PEN];
  // words: input VI channels of a pixel, weights VW values of an (out channel, tap)
  const vi = rows[o + R_CDW] === 1 ? peM : peN;
  const vw = dw ? 1 : peN;
  const tM = Math.min(p[po + P_TM], M);
  const tN = dw ? 1 : Math.min(p[po + P_TN], N);
  const tR = Math.min(p[po + P_TR], R);
  const tC = Math.min(p[po + P_TC], C);
  const mF = Math.floor(M / tM);
  const nF = Math.floor(N / tN);
  const rF = Math.floor(R / tR);
  const cF = Math.floor(C / tC);
  const mT = M - mF * tM;
  const nT = N - nF * tN;
  const rT = R - rF * tR;
  const cT = C - cF * tC;
  const nSteps = nF + (nT > 0 ? 1 : 0);

  let overlap = 0;
  let prologue = 0;
  let weightLoad = 0;
  let output = 0;
  let tiles = 0;
  for (let im = 0; im < 2; im++) {
    const cm = im === 0 ? mF : mT > 0 ? 1 : 0;
    if (cm === 0) continue;
    const mi = im === 0 ? tM : mT;
    const mLanes = Math.ceil(mi / peM);
    for (let ir = 0; ir < 2; ir++) {
      const cr = ir === 0 ? rF : rT > 0 ? 1 : 0;
      if (cr === 0) continue;
      const ri = ir === 0 ? tR : rT;
      const hIn = (ri - 1) * S + K;
      for (let ic = 0; ic < 2; ic++) {
        const cc = ic === 0 ? cF : cT > 0 ? 1 : 0;
        if (cc === 0) continue;
        const ci = ic === 0 ? tC : cT;
        const wIn = (ci - 1) * S + K;
        const count = cm * cr * cc;
        // the tile's steps: nF full ones, then the tail; step i's compute overlaps step i+1's load
        let cFull = 0;
        let lFull = 0;
        let cTail = 0;
        let lTail = 0;
        for (let iN = 0; iN < 2; iN++) {
          if (iN === 1 && nT === 0) continue;
          const ni = iN === 0 ? tN : nT;
          const reduce = dw ? 1 : ni;
          const compute =
            COMPUTE_PIPE + (mn ? mLanes * Math.ceil(reduce / peN) * ri * ci * K2 : mLanes * reduce * ri * Math.ceil(ci / peN) * K2);
          const boxC = dw ? mi : ni;
          let load = latency + transferCycles(hIn * wIn * Math.ceil(boxC / vi), boxC * hIn * wIn * q, port);
          if (os) load += transferCycles(mi * K2 * Math.ceil(reduce / vw), mi * reduce * K2 * q, port);
          if (iN === 0) {
            cFull = compute;
            lFull = load;
          } else {
            cTail = compute;
            lTail = load;
          }
        }
        // load 1 · [compute i ∥ load i+1]* · compute last
        let sum = (nF - 1) * (cFull > lFull ? cFull : lFull);
        if (nT > 0) sum += cFull > lTail ? cFull : lTail;
        const first = lFull + (nT > 0 ? cTail : cFull);
        overlap += count * sum;
        prologue += count * first;
        output += count * transferCycles(ri * ci * Math.ceil(mi / peM), mi * ri * ci * qo, port);
        tiles += count;
      }
    }
    if (!os) {
      // ws: the m-tile's weights for every input channel, loaded once before its spatial tiles
      const words = dw ? mi * K2 : mi * K2 * (nF * Math.ceil(tN / vw) + (nT > 0 ? Math.ceil(nT / vw) : 0));
      weightLoad += cm * (latency + transferCycles(words, mi * (dw ? 1 : N) * K2 * q, port));
    }
  }
  scratch.overlap = G * overlap;
  scratch.prologue = G * prologue;
  scratch.weightLoad = G * weightLoad;
  scratch.output = G * output;
  scratch.tiles = G * tiles;
  scratch.steps = G * tiles * nSteps;
  scratch.params = latency + tableCycles(rows[o + R_MTOT], port, TABLE_BITS.length);
  return scratch;
}

/** The requantisation tables' transfers: one entry per cycle at most, `tables` of them chained. */
function tableCycles(entries: number, port: number, tables: number): number {
  let c = 0;
  for (let t = TABLE_BITS.length - tables; t < TABLE_BITS.length; t++) c += transferCycles(entries, entries * TABLE_BITS[t], port);
  return c;
}

/**
 * Add and pool: E = min(VI, peM) channels a cycle, following their input stream (the compute
 * pipeline drains after the last word); the output path writes peM channels a cycle.
 */
function eltwiseTerms(rows: Float64Array, o: number, p: Float64Array, po: number, port: number, latency: number): typeof scratch {
  const add = rows[o + R_CLASS] === CLASS_ADD;
  const M = rows[o + R_M];
  const R = rows[o + R_R];
  const C = rows[o + R_C];
  const K = rows[o + R_K];
  const q = rows[o + R_Q];
  const qo = rows[o + R_QO];
  const inPix = rows[o + R_INPIX];
  const peM = p[po + P_PEM];
  const vi = rows[o + R_CDW] === 1 ? peM : p[po + P_PEN];
  const e = vi < peM ? vi : peM;
  // add tiles (m, r, c); pool tiles m only, each over the whole map
  const tM = Math.min(p[po + P_TM], M);
  const tR = add ? Math.min(p[po + P_TR], R) : R;
  const tC = add ? Math.min(p[po + P_TC], C) : C;
  const mF = Math.floor(M / tM);
  const rF = Math.floor(R / tR);
  const cF = Math.floor(C / tC);
  let overlap = 0;
  let output = 0;
  let tiles = 0;
  for (let im = 0; im < 2; im++) {
    const cm = im === 0 ? mF : M > mF * tM ? 1 : 0;
    if (cm === 0) continue;
    const mi = im === 0 ? tM : M - mF * tM;
    const groups = Math.ceil(mi / e);
    for (let ir = 0; ir < 2; ir++) {
      const cr = ir === 0 ? rF : R > rF * tR ? 1 : 0;
      if (cr === 0) continue;
      const ri = ir === 0 ? tR : R - rF * tR;
      for (let ic = 0; ic < 2; ic++) {
        const cc = ic === 0 ? cF : C > cF * tC ? 1 : 0;
        if (cc === 0) continue;
        const ci = ic === 0 ? tC : C - cF * tC;
        const count = cm * cr * cc;
        let compute: number;
        let load: number;
        if (add) {
          compute = groups * ri * ci;
          load = transferCycles(2 * ri * ci * Math.ceil(mi / vi), 2 * mi * ri * ci * q, port);
        } else {
          compute = groups * ri * ci * K * K;
          // the last window's other channel groups run after its last pixel arrives
          load = transferCycles(inPix * Math.ceil(mi / vi), mi * inPix * q, port) + (groups - 1) * K * K;
        }
        // the tile's stream lands `latency` later, and the compute follows it
        overlap += count * ((compute > load ? compute : load) + COMPUTE_PIPE + latency);
        output += count * transferCycles(ri * ci * Math.ceil(mi / peM), mi * ri * ci * qo, port);
        tiles += count;
      }
    }
  }
  scratch.overlap = overlap;
  scratch.prologue = 0;
  scratch.weightLoad = 0;
  scratch.output = output;
  scratch.params = latency + tableCycles(rows[o + R_MTOT], port, 1);
  scratch.steps = tiles;
  scratch.tiles = tiles;
  return scratch;
}
