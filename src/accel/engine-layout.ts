/**
 * The chunk engine's buffer layout (docs/rtl.md §1) — accel, shared by the resource model
 * (resources.ts: the BRAM it counts) and the RTL lowering (backend/rtl/lower.ts: the depths
 * it builds and the strides it writes into each descriptor), so that the memory the model
 * charges is the memory synthesis infers.
 *
 * Words: an input word holds VI channels of one pixel (mn: the PE_N input channels the
 * array reduces in a cycle; depthwise: the PE_M channels it computes), a weight word VW
 * values of one (out channel, tap) (PE_N; depthwise 1), an accumulator word one 32-bit sum.
 * Banks: inputs by column under `mp` (BJ = PE_N banks, column ⌊col/S⌋ mod PE_N, so the PE_N
 * columns a cycle reads at stride S sit in different banks), weights and accumulators by out
 * channel (PE_M banks; accumulators also by column under `mp`), requantisation tables by
 * out channel. Every box is laid out at its full tile size, so each stride is a layer
 * constant the engine adds instead of multiplying.
 */
export interface EngineShape {
  /** Channels per input word, values per weight word, add / pool lanes, column banks. */
  readonly vi: number;
  readonly vw: number;
  readonly e: number;
  readonly bj: number;
  /** Values per DRAM port word, the lanes of trips_chunk's port (at least 4: the harness reads them as wide words). */
  readonly lanes: number;
}

export function engineShape(dw: boolean, mp: boolean, peM: number, peN: number): EngineShape {
  const vi = dw ? peM : peN;
  const vw = dw ? 1 : peN;
  return { vi, vw, e: Math.min(vi, peM), bj: mp ? peN : 1, lanes: Math.max(4, peM, vi, vw) };
}

/** ROT of an engine whose out-channel tiles are tileM channels on peM requantisers: 1 when a tile can start inside a table word. */
export function tableRotation(tileM: number, peM: number): number {
  return tileM % peM !== 0 ? 1 : 0;
}

/**
 * The compile-time sizes of one chunk engine — trips_chunk's Verilog parameters, which the
 * lowering builds (backend/rtl/sizes.ts) and the resource model's LUT and FF terms count.
 */
export interface EngineSizes {
  readonly PE_M: number;
  readonly PE_N: number;
  readonly MP: number;
  readonly WS: number;
  readonly DW: number;
  readonly LANES: number;
  readonly ACT_W: number;
  readonly W_W: number;
  readonly IN_DEPTH: number;
  readonly W_DEPTH: number;
  readonly ACC_DEPTH: number;
  readonly RQ_DEPTH: number;
  readonly PROG_WORDS: number;
  readonly IN_BLOCK: number;
  readonly W_BLOCK: number;
  readonly ACC_BLOCK: number;
  readonly RQ_BLOCK: number;
  /**
   * 1: out-channel tiles can start inside a requantisation-table word (tileM not a multiple of
   * PE_M), so the output path rotates the table banks by the tile's first channel; 0: they
   * never do and the rotation is not built.
   */
  readonly ROT: number;
}

/** A layer as the engine walks it (fc: a 1×1 map). */
export interface EngineLayerGeometry {
  /** 0 MAC (conv, fc, dwconv), 1 add, 2 pool. */
  readonly cls: number;
  readonly dw: boolean;
  /** Out channels walked (per group), in channels reduced (depthwise: 1). */
  readonly M: number;
  readonly N: number;
  readonly outH: number;
  readonly outW: number;
  readonly K: number;
  readonly S: number;
  readonly pad: number;
  readonly G: number;
  readonly inH: number;
  readonly inW: number;
  /** Requantisation entries the layer loads (pool: the window sizes that occur). */
  readonly entries: number;
}

export interface EngineTiles {
  readonly tileM: number;
  readonly tileN: number;
  readonly tileR: number;
  readonly tileC: number;
  readonly peM: number;
  readonly ws: boolean;
  readonly mp: boolean;
}

/** The layer's strides (in buffer words) and the words each bank needs. */
export interface EngineLayerLayout {
  readonly ngi: number;
  readonly rsi: number;
  readonly sub: number;
  readonly ngw: number;
  readonly ts: number;
  readonly ms: number;
  readonly nSteps: number;
  readonly mg: number;
  readonly accRow: number;
  readonly mgt: number;
  readonly inDepth: number;
  readonly wDepth: number;
  readonly accDepth: number;
  readonly rqDepth: number;
}

const cdiv = (a: number, b: number) => Math.ceil(a / b);

// slots of layoutInto's output
const L_NGI = 0;
const L_RSI = 1;
const L_SUB = 2;
const L_NGW = 3;
const L_TS = 4;
const L_MS = 5;
const L_NSTEPS = 6;
const L_MG = 7;
const L_ACCROW = 8;
const L_MGT = 9;
export const L_IN_DEPTH = 10;
export const L_W_DEPTH = 11;
export const L_ACC_DEPTH = 12;
export const L_RQ_DEPTH = 13;
export const LAYOUT_SIZE = 14;

/**
 * The layout of one layer, written to `out` (LAYOUT_SIZE numbers): the one definition the
 * lowering's descriptors and the resource model's depths share. Allocates nothing (the
 * resource model calls it for every design the search evaluates).
 */
export function layoutInto(
  cls: number,
  dw: boolean,
  M: number,
  N: number,
  outH: number,
  outW: number,
  K: number,
  S: number,
  G: number,
  inH: number,
  inW: number,
  entries: number,
  tileM: number,
  tileN: number,
  tileR: number,
  tileC: number,
  peM: number,
  ws: boolean,
  mp: boolean,
  vi: number,
  vw: number,
  bj: number,
  out: Float64Array,
): Float64Array {
  const tM = Math.min(tileM, M);
  const mg = cdiv(tM, peM);
  if (cls === 0) {
    const tN = dw ? 1 : Math.min(tileN, N);
    const tR = Math.min(tileR, outH);
    const tC = Math.min(tileC, outW);
    const ngi = cdiv(dw ? tM : tN, vi);
    const sub = mp ? S : 1;
    const rsi = cdiv((tC - 1) * S + K, sub * bj) * sub * ngi;
    const ngw = dw ? 1 : cdiv(tN, vw);
    const nSteps = dw ? 1 : cdiv(N, tN);
    const ts = ws ? nSteps * ngw : ngw;
    const ms = K * K * ts;
    const accRow = cdiv(tC, bj) * mg;
    const mgt = cdiv(M, peM);
    out[L_NGI] = ngi;
    out[L_RSI] = rsi;
    out[L_SUB] = sub;
    out[L_NGW] = ngw;
    out[L_TS] = ts;
    out[L_MS] = ms;
    out[L_NSTEPS] = nSteps;
    out[L_MG] = mg;
    out[L_ACCROW] = accRow;
    out[L_MGT] = mgt;
    out[L_IN_DEPTH] = ((tR - 1) * S + K) * rsi;
    out[L_W_DEPTH] = mg * ms;
    out[L_ACC_DEPTH] = tR * accRow;
    out[L_RQ_DEPTH] = G * mgt;
    return out;
  }
  // add: the tile's two inputs, one per half; pool: an out-channel tile's whole map in half 0
  const ngi = cdiv(tM, vi);
  const add = cls === 1;
  const rows = add ? Math.min(tileR, outH) : outH;
  const cols = add ? Math.min(tileC, outW) : outW;
  const rsi = (add ? cols : inW) * ngi;
  const accRow = cdiv(cols, bj) * mg;
  out[L_NGI] = ngi;
  out[L_RSI] = rsi;
  out[L_SUB] = 1;
  out[L_NGW] = 1;
  out[L_TS] = 1;
  out[L_MS] = 1;
  out[L_NSTEPS] = 1;
  out[L_MG] = mg;
  out[L_ACCROW] = accRow;
  out[L_MGT] = 1;
  out[L_IN_DEPTH] = (add ? rows : inH) * rsi;
  out[L_W_DEPTH] = 1;
  out[L_ACC_DEPTH] = rows * accRow;
  out[L_RQ_DEPTH] = add ? 2 : entries;
  return out;
}

export function engineLayerLayout(l: EngineLayerGeometry, t: EngineTiles, shape: EngineShape): EngineLayerLayout {
  const o = layoutInto(
    l.cls,
    l.dw,
    l.M,
    l.N,
    l.outH,
    l.outW,
    l.K,
    l.S,
    l.G,
    l.inH,
    l.inW,
    l.entries,
    t.tileM,
    t.tileN,
    t.tileR,
    t.tileC,
    t.peM,
    t.ws,
    t.mp,
    shape.vi,
    shape.vw,
    shape.bj,
    new Float64Array(LAYOUT_SIZE),
  );
  return {
    ngi: o[L_NGI],
    rsi: o[L_RSI],
    sub: o[L_SUB],
    ngw: o[L_NGW],
    ts: o[L_TS],
    ms: o[L_MS],
    nSteps: o[L_NSTEPS],
    mg: o[L_MG],
    accRow: o[L_ACCROW],
    mgt: o[L_MGT],
    inDepth: o[L_IN_DEPTH],
    wDepth: o[L_W_DEPTH],
    accDepth: o[L_ACC_DEPTH],
    rqDepth: o[L_RQ_DEPTH],
  };
}

/** The words every bank of the chunk needs: the largest of its layers' (at least 2). */
export interface EngineDepths {
  inDepth: number;
  wDepth: number;
  accDepth: number;
  rqDepth: number;
}

export function maxDepths(layouts: Iterable<EngineLayerLayout>): EngineDepths {
  const d = { inDepth: 2, wDepth: 2, accDepth: 2, rqDepth: 2 };
  for (const l of layouts) {
    d.inDepth = Math.max(d.inDepth, l.inDepth);
    d.wDepth = Math.max(d.wDepth, l.wDepth);
    d.accDepth = Math.max(d.accDepth, l.accDepth);
    d.rqDepth = Math.max(d.rqDepth, l.rqDepth);
  }
  return d;
}

/** Program RAM words of a chunk of `layers` layers (header + 64-word descriptors, a power of two). */
export function programWords(layers: number): number {
  let p = 2;
  while (p < 16 + 64 * layers) p *= 2;
  return p;
}
