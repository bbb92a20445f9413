/**
 * Sim records (schemas/sim-record.schema.json): one JSON line per simulated layer — what the
 * model predicted (cycles and its raw terms, as program.json carries them from the lowering, so
 * `calibrate` can refit the coefficients per layer class and loop order on the very terms the
 * prediction summed), what the RTL measured, and whether every output word matched.
 */
import { absolutePercentErrors } from '../core/error-stats.js';
import type { CoefficientKey, CostTerm } from '../accel/types.js';
import type { RtlLayer } from '../backend/rtl/lower.js';
import type { ChunkProgram, LayerDescriptor, LayerWindow, ProgramSpec } from '../backend/types.js';

export interface SimRecord {
  readonly version: 1;
  readonly designHash: string;
  readonly modelHash: string;
  readonly layer: string;
  readonly index: number;
  readonly op: LayerDescriptor['op'];
  readonly chunk: string;
  readonly image: number;
  readonly arch: ChunkProgram['params'] & { readonly portBitsEffective: number };
  /** The layer's window as its descriptor holds it (groups: 1 for depthwise). */
  readonly prob: LayerWindow & { readonly groups: number };
  readonly prec: { readonly inBits: number; readonly weightBits: number; readonly outBits: number };
  readonly pred: { readonly cycles: number; readonly key: CoefficientKey; readonly terms: Readonly<Record<CostTerm, number>> };
  /** Null when the layer did not finish (a hang). */
  readonly meas: { readonly cycles: number | null; readonly startCycle: number | null };
  readonly bitExact: boolean;
  readonly mismatches: number;
  readonly words: number;
  readonly simulator: { readonly name: 'verilator'; readonly version: string; readonly engine: string };
}

export interface Measured {
  readonly cycles: number | null;
  readonly startCycle: number | null;
  readonly mismatches: number;
  readonly words: number;
}

export function makeRecord(
  program: ProgramSpec,
  chunk: ChunkProgram,
  layer: RtlLayer,
  measured: Measured,
  context: { image: number; simulator: string; engine: string },
): SimRecord {
  const d = program.layers[layer.index];
  return {
    version: 1,
    designHash: program.designHash,
    modelHash: program.modelHash,
    layer: d.name,
    index: d.index,
    op: d.op,
    chunk: chunk.id,
    image: context.image,
    arch: { ...chunk.params, portBitsEffective: chunk.portBitsEffective },
    prob: {
      inH: d.inH,
      inW: d.inW,
      inC: d.inC,
      outH: d.outH,
      outW: d.outW,
      outC: d.outC,
      kernel: d.kernel,
      stride: d.stride,
      pad: d.pad,
      groups: d.groups,
    },
    prec: { inBits: layer.inBits, weightBits: chunk.bits, outBits: layer.outBits },
    pred: { cycles: d.predictedCycles, key: d.cost.key, terms: d.cost.terms },
    meas: { cycles: measured.cycles, startCycle: measured.startCycle },
    bitExact: measured.cycles !== null && measured.mismatches === 0,
    mismatches: measured.mismatches,
    words: measured.words,
    simulator: { name: 'verilator', version: context.simulator, engine: context.engine },
  };
}

/** Per-layer |measured − predicted| / measured over finished layers, in %. */
export function cycleError(records: readonly SimRecord[]): { mapePct: number; maxPct: number; count: number } {
  const finished = records.filter((r) => r.meas.cycles !== null && r.meas.cycles > 0);
  const errors = absolutePercentErrors(
    finished.map((r) => r.pred.cycles),
    finished.map((r) => r.meas.cycles as number),
  );
  if (errors.length === 0) return { mapePct: 0, maxPct: 0, count: 0 };
  return { mapePct: errors.reduce((s, e) => s + e, 0) / errors.length, maxPct: Math.max(...errors), count: errors.length };
}
