/**
 * Synth records (schemas/synth-record.schema.json) — stage: synth. One JSON line per synthesised
 * chunk: the chunk's parameters (`arch`, as the sim records carry them) and the engine's
 * compile-time sizes, the family and the tool, what synthesis mapped (`measured`), and what the
 * resource model charged the chunk (`model`: program.json's `resources`, computed once when
 * `generate` lowered the program, as the predicted cycles are).
 */
import type { RtlSizes } from '../backend/rtl/lower.js';
import type { YosysFamily } from '../backend/rtl/synth.js';
import type { ChunkProgram, ProgramSpec } from '../backend/types.js';
import { InputError } from '../core/diagnostics.js';
import { validateArtifact } from '../core/schema.js';
import type { SynthOutcome } from './engine.js';
import type { MeasuredResources } from './netlist.js';
import type { YosysBackend } from './yosys.js';

export interface SynthRecord {
  readonly version: 1;
  readonly designHash: string;
  readonly modelHash: string;
  readonly chunk: string;
  readonly index: number;
  readonly kind: ChunkProgram['kind'];
  /** Weight and input-activation bits of the chunk. */
  readonly bits: number;
  readonly arch: ChunkProgram['params'] & { readonly portBitsEffective: number };
  /** The engine's compile-time parameters (trips_chunk's), as synthesised. */
  readonly sizes: RtlSizes;
  readonly family: YosysFamily;
  readonly tool: { readonly name: 'yosys'; readonly backend: YosysBackend; readonly version: string };
  readonly measured: MeasuredResources;
  readonly model: ChunkProgram['resources'];
  /** Yosys's wall time (the run's that filled the cache entry when `cached`). */
  readonly seconds: number;
  readonly cached: boolean;
}

export function makeSynthRecord(
  program: ProgramSpec,
  chunk: ChunkProgram,
  sizes: RtlSizes,
  outcome: SynthOutcome,
  context: { readonly family: YosysFamily; readonly backend: YosysBackend; readonly version: string },
): SynthRecord {
  return {
    version: 1,
    designHash: program.designHash,
    modelHash: program.modelHash,
    chunk: chunk.id,
    index: chunk.index,
    kind: chunk.kind,
    bits: chunk.bits,
    arch: { ...chunk.params, portBitsEffective: chunk.portBitsEffective },
    sizes: { ...sizes },
    family: context.family,
    tool: { name: 'yosys', backend: context.backend, version: context.version },
    measured: outcome.measured,
    model: { ...chunk.resources },
    seconds: outcome.seconds,
    cached: outcome.cached,
  };
}

/** A record this module made, held to its schema before it is written: a mismatch is a bug here, not bad input. */
export function checkSynthRecord(record: SynthRecord, file: string): SynthRecord {
  try {
    return validateArtifact<SynthRecord>('synth-record', record, file);
  } catch (error) {
    if (error instanceof InputError)
      throw new Error(`internal: the synth record of chunk ${record.chunk} does not match its schema: ${error.message}`);
    throw error;
  }
}
