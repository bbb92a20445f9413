/**
 * The `generate` stage as one call: weights (trained, or seeded random stand-ins) → integer
 * model → generated project, written into the output folder without ever leaving it
 * half-written (a folder's old `hls/`, `program.json`, … are replaced whole).
 */
import { join } from 'node:path';
import type { CalibrationSpec, DesignPoint } from '../accel/types.js';
import { InputError } from '../core/diagnostics.js';
import { writeTreeAtomic } from '../core/files.js';
import type { Provenance } from '../core/provenance.js';
import { plainText } from '../core/text.js';
import { selectBackend, type BackendName } from '../nn/backend.js';
import { randomWeights } from '../nn/random-weights.js';
import * as tf from '../nn/tf.js';
import { loadWeights, MANIFEST_FILE } from '../nn/weights.js';
import { buildIntegerModel } from '../quant/integer-model.js';
import { type IntegerModel, IntegerModelError } from '../quant/model-types.js';
import { generateProject, type GenerateOptions } from './generate.js';
import type { HlsTool } from './hls/lower.js';

interface GenerateRequest {
  readonly design: DesignPoint;
  readonly designFile: string;
  /** A trained weights folder; without one, seeded random weights stand in. */
  readonly weightsDir?: string;
  readonly out: string;
  readonly tool: HlsTool;
  readonly images: number;
  readonly seed: number;
  readonly backend?: BackendName;
  readonly calibration?: CalibrationSpec;
  readonly provenance: Provenance;
}

export interface GenerateSummary {
  readonly out: string;
  readonly designHash: string;
  readonly modelHash: string;
  readonly weights: GenerateOptions['weights'];
  readonly tool: HlsTool;
  readonly chunks: number;
  readonly layers: number;
  readonly files: number;
  readonly predictedFps: number;
  /** Lowering and rendering, the golden model, loading or making the weights (ms). */
  readonly timing: { readonly lowerRenderMs: number; readonly goldenMs: number; readonly weightsMs: number };
}

export async function generateToFolder(request: GenerateRequest): Promise<GenerateSummary> {
  const t0 = performance.now();
  await selectBackend(request.backend);
  const weights = request.weightsDir === undefined ? randomWeights(request.design.network, request.seed) : loadWeights(request.weightsDir);
  if (request.weightsDir !== undefined && 'alpha' in weights && 'beta' in weights) {
    tf.dispose(Object.values(weights));
    throw new InputError(
      join(request.weightsDir, MANIFEST_FILE),
      '',
      'expected the weights of a trained network, found the supernet of a search (alpha, beta): retrain the design with `trips-hw train` and pass its weights folder',
    );
  }
  const source: GenerateOptions['weights'] =
    request.weightsDir === undefined ? { source: 'random', seed: request.seed } : { source: 'trained', dir: request.weightsDir };
  let model: IntegerModel;
  try {
    model = buildIntegerModel(request.design.network, weights);
  } catch (error) {
    // trained weights that do not fit the network: the weights folder is the bad input
    if (request.weightsDir !== undefined && error instanceof IntegerModelError && error.message.startsWith('weights:')) {
      throw new InputError(
        join(request.weightsDir, MANIFEST_FILE),
        '',
        `${error.message.slice('weights: '.length)}: expected the weights of the design's network (${plainText(request.design.network.name, 60)}) as \`trips-hw train\` writes them`,
      );
    }
    if (error instanceof IntegerModelError) throw new InputError(request.designFile, '/network', error.message);
    throw error;
  } finally {
    tf.dispose(Object.values(weights));
  }
  const weightsMs = performance.now() - t0;
  const project = generateProject(request.design, model, {
    tool: request.tool,
    provenance: request.provenance,
    weights: source,
    images: request.images,
    seed: request.seed,
    calibration: request.calibration,
    file: request.designFile,
  });
  writeTreeAtomic(request.out, project.files);
  return {
    out: request.out,
    designHash: project.program.designHash,
    modelHash: project.program.modelHash,
    weights: source,
    tool: request.tool,
    chunks: project.program.chunks.length,
    layers: project.program.layers.length,
    files: project.files.length,
    predictedFps: project.program.predictedFps,
    timing: { ...project.timing, weightsMs },
  };
}
