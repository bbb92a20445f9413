/**
 * The strict loaders of accel's artifacts, for commands and the pipeline alike: read,
 * schema-validate and semantically check a design, a calibration or a warm start. Every
 * failure is a one-line `InputError` (exit 2) naming the file and the JSON pointer.
 */
import { InputError } from '../core/diagnostics.js';
import { checkNetwork } from '../core/network-check.js';
import { loadArtifact } from '../core/schema.js';
import type { WarmStart } from './explore.js';
import type { CalibrationSpec, DesignPoint } from './types.js';

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

/** The DAS logits and the accelerator of an earlier design, to continue its search from. */
export function loadWarmStart(file: string): WarmStart {
  const design = loadDesign(file);
  const logits = design.explore?.logits;
  if (!logits)
    throw new InputError(
      file,
      '/explore/logits',
      'expected DAS logits to warm-start from (a design explored with --strategy differentiable)',
    );
  return { logits, accelerator: design.accelerator };
}
