/**
 * The resource model's LUT and FF side as data — stage: model. The terms (LOGIC_TERMS: counts
 * over an engine's compile-time sizes and its family, which accel/resources.ts computes), their
 * coefficients (the structural prior, and the defaults fitted to Yosys), the model a calibration
 * asks for and the family a part belongs to. Pure.
 */
import type { EngineSizes } from './engine-layout.js';
import type { CalibrationSpec } from './types.js';

/**
 * The terms of the LUT and FF estimates, counts over the engine's compile-time sizes:
 *   chunk       1: the controller, the descriptor registers, the DMA and its transfer slots
 *   requant     PE_M requantisers of the output path (64-bit rounding shift, clamp)
 *   laneBits    Σ lanes of operand bits, PE_M·PE_N·(ACT_W + W_W): operand, product and gating registers
 *   selectBits  mp's operand selects: each column's choice of input bank and channel
 *               (PE_N·ACT_W·BJ·VI), with ROT each requantiser's choice of table bank
 *               (PE_M·PE_M·110); the weight-channel and add / pool lane selects are below what
 *               the fit resolves and go with laneBits
 *   adderBits   mn's adder trees, PE_M·(PE_N − 1)·ACC_W (mp and depthwise build none)
 *   accBits     accumulators, PE_M·(mp ? PE_N : 1)·ACC_W
 *   portLanes   LANES, the DRAM port's lanes (address, data and valid per lane)
 *   memories    banks of every buffer and table (each with its write enable and address)
 *   lutramBits  bits held in LUT RAM
 *   ramRegBits  read-register bits of LUT RAM memories (block RAM registers its read inside)
 *   ultrascale  1 for a chunk on an UltraScale+ part: Yosys maps the same engine to more LUTs
 *               there (LUT1 cells: 1.3–4k per chunk against 0.1–0.8k on 7-series)
 */
export const LOGIC_TERMS = [
  'chunk',
  'requant',
  'laneBits',
  'selectBits',
  'adderBits',
  'accBits',
  'portLanes',
  'memories',
  'lutramBits',
  'ramRegBits',
  'ultrascale',
] as const;
export type LogicTerm = (typeof LOGIC_TERMS)[number];
export type LogicCoefficients = Readonly<Record<LogicTerm, number>>;

export interface ResourceModel {
  /** DSP48 of one requantiser of the output path (there are peM). */
  readonly dspPerRequant: number;
  readonly accumulatorBits: number;
  /** Arrays up to this many bits go to distributed RAM (LUTRAM) instead of BRAM. */
  readonly lutramMaxBits: number;
  /** LUT and FF per unit of each term. */
  readonly lut: LogicCoefficients;
  readonly ff: LogicCoefficients;
  /** The family the chunks are mapped to: UltraScale+ (the `ultrascale` term) or 7-series. */
  readonly ultrascale: boolean;
}

/** The engine's compile-time sizes the terms count. */
export type LogicShape = EngineSizes;

/**
 * The first guess at the LUT and FF coefficients, from the structures alone (no synthesis): the
 * anchor a held-out check of the defaults fits towards (bench:synth), so that no fold is pulled
 * towards coefficients that saw it.
 */
export const PRIOR_LOGIC: { readonly lut: LogicCoefficients; readonly ff: LogicCoefficients } = {
  lut: {
    chunk: 2500,
    requant: 0,
    laneBits: 2,
    selectBits: 0,
    adderBits: 1,
    accBits: 1,
    portLanes: 0,
    memories: 0,
    lutramBits: 1 / 64,
    ramRegBits: 0,
    ultrascale: 2500,
  },
  ff: {
    chunk: 3500,
    requant: 0,
    laneBits: 3,
    selectBits: 0,
    adderBits: 1,
    accBits: 1,
    portLanes: 0,
    memories: 0,
    lutramBits: 0,
    ramRegBits: 0,
    ultrascale: 0,
  },
};

/**
 * The default resource model: LUT and FF coefficients fitted to Yosys 0.55 (`@yowasp/yosys`,
 * by module, then flattened) on the 30 chunks of bench:synth of 2026-12-04 (fixtures, the
 * `flow` design, 24 random chunks on both families) — `calibrate --synth-records` refits them
 * to a user's own synthesis or Vivado reports. Evaluated for 7-series until a board says otherwise.
 */
export const DEFAULT_RESOURCE_MODEL: ResourceModel = {
  dspPerRequant: 5,
  accumulatorBits: 32,
  lutramMaxBits: 1024,
  lut: {
    chunk: 15060,
    requant: 0.1624,
    laneBits: 0,
    selectBits: 1.286,
    adderBits: 1.276,
    accBits: 0,
    portLanes: 0.1465,
    memories: 0.5253,
    lutramBits: 0.03119,
    ramRegBits: 4.901,
    ultrascale: 3601,
  },
  ff: {
    chunk: 5652,
    requant: 0.2921,
    laneBits: 0.2685,
    selectBits: 0,
    adderBits: 0.5157,
    accBits: 0.02016,
    portLanes: 0.09055,
    memories: 1.216,
    lutramBits: 0,
    ramRegBits: 4.142,
    ultrascale: 0,
  },
  ultrascale: false,
};

/** The resource model a calibration asks for: its fitted LUT and FF coefficients (a term it lacks keeps the default). */
export function resourceModelOf(calibration: CalibrationSpec | undefined): ResourceModel {
  const fitted = calibration?.resources;
  if (!fitted) return DEFAULT_RESOURCE_MODEL;
  const merge = (defaults: LogicCoefficients, given: Readonly<Record<string, number>>) =>
    Object.fromEntries(LOGIC_TERMS.map((t) => [t, given[t] ?? defaults[t]])) as unknown as LogicCoefficients;
  return { ...DEFAULT_RESOURCE_MODEL, lut: merge(DEFAULT_RESOURCE_MODEL.lut, fitted.lut), ff: merge(DEFAULT_RESOURCE_MODEL.ff, fitted.ff) };
}

/** The families the model (and Yosys's synth_xilinx) tells apart. */
export const FPGA_FAMILIES = ['xc7', 'xcup'] as const;
export type FpgaFamily = (typeof FPGA_FAMILIES)[number];

/**
 * The family of a Xilinx part: xc7… (Zynq-7000, Artix/Kintex/Virtex/Spartan-7) → xc7; Zynq
 * UltraScale+ (xczu…), Kria (xck24/26), Artix/Kintex/Virtex UltraScale+ (xcau…, xcku…p,
 * xcvu…p) and Alveo (xcu…) → xcup; undefined for anything else (UltraScale without the plus
 * too). The `xc` may be missing, as in a Vivado report's Device of a 7-series part
 * (`7z045ffg900-2`).
 */
export function familyOfPart(part: string): FpgaFamily | undefined {
  if (/^(xc)?7[aksvz]/i.test(part)) return 'xc7';
  if (/^(xc)?(zu|k2[4-9]|au\d|ku\d+p|vu\d+p|u\d)/i.test(part)) return 'xcup';
  return undefined;
}

/** `model` evaluated for the family of `part` (an UltraScale+ part counts the `ultrascale` term). */
export function resourceModelForPart(model: ResourceModel, part: string): ResourceModel {
  const ultrascale = familyOfPart(part) === 'xcup';
  return ultrascale === model.ultrascale ? model : { ...model, ultrascale };
}

/** Σ coefficient · term. */
export function logicEstimate(coefficients: LogicCoefficients, terms: ArrayLike<number>): number {
  let sum = 0;
  for (let t = 0; t < LOGIC_TERMS.length; t++) sum += coefficients[LOGIC_TERMS[t]] * terms[t];
  return sum;
}
