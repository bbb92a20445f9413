/**
 * Artifact loading for commands: read, schema-validate and semantically check the files a
 * command is given. Every failure is a one-line `InputError` (exit 2) naming the file and the
 * JSON pointer, or a `UsageError` for a flag that cannot be honoured.
 */
import { basename } from 'node:path';
import type { CalibrationSpec, DesignPoint, WarmStart } from '../accel/index.js';
import { InputError, UsageError } from '../core/diagnostics.js';
import type { NetworkSpec } from '../core/network.js';
import { checkNetwork, loadNetwork } from '../core/network-check.js';
import { loadArtifact } from '../core/schema.js';
import { checkLoweredNetwork, loadGenotype, lowerGenotypeToNetwork } from '../search/index.js';

/** A design file: the schema, then the network checks with pointers under `/network`. */
export function loadDesign(file: string): DesignPoint {
  const design = loadArtifact<DesignPoint>('design', file);
  try {
    checkNetwork(design.network, file);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(error.file, `/network${error.pointer}`, error.expectation);
    throw error;
  }
  return design;
}

export function loadCalibration(file: string): CalibrationSpec {
  return loadArtifact<CalibrationSpec>('calibration', file);
}

/** `runs/x/cifar22-mixed.genotype.json` → `cifar22-mixed`. */
function nameOfGenotypeFile(file: string): string {
  return basename(file).replace(/(\.genotype)?\.json$/, '') || 'network';
}

/**
 * The network a command works on: a network file, or a genotype file lowered with the search
 * space it names (the network is named after the genotype file).
 */
export function loadNetworkInput(input: { network?: string; genotype?: string }): NetworkSpec {
  if (input.network !== undefined) return loadNetwork(input.network);
  if (input.genotype === undefined) throw new UsageError('expected --network or --genotype');
  const { genotype, space } = loadGenotype(input.genotype);
  return checkLoweredNetwork(lowerGenotypeToNetwork(space, genotype, nameOfGenotypeFile(input.genotype)), input.genotype);
}

/** The DAS logits a previous design recorded, to start a new search from them. */
/** The DAS logits and the accelerator of an earlier design, to continue its search from. */
export function loadWarmStart(file: string): WarmStart {
  const design = loadDesign(file);
  const logits = design.explore?.logits;
  if (!logits) throw new InputError(file, '/explore/logits', 'expected DAS logits to warm-start from (a design explored with --strategy differentiable)');
  return { logits, accelerator: design.accelerator };
}
