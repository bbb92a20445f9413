/**
 * generateProject — design + integer model → every file of a generated project: the layer
 * program and golden vectors (JSON, for the simulators), the HLS project, and the manifest that
 * ties them to the design. Pure apart from reading templates: writing is the caller's.
 */
import { createHash } from 'node:crypto';
import type { CalibrationSpec, DesignPoint } from '../accel/types.js';
import type { Provenance } from '../core/provenance.js';
import { plainText } from '../core/text.js';
import type { IntegerModel } from '../quant/model-types.js';
import { computeGoldenVectors } from './golden.js';
import { lowerProgramToHls, type HlsTool } from './hls/lower.js';
import { renderHls } from './hls/render.js';
import { lowerDesignToProgram } from './program.js';
import { renderRtl, renderSynthFiles } from './rtl/index.js';
import type { GeneratedFile, GoldenVectors, ProgramSpec } from './types.js';
import { PROJECT_FILES } from '../core/run-layout.js';

export const PROGRAM_FILE = PROJECT_FILES.program;
export const GOLDEN_FILE = PROJECT_FILES.golden;
export const MANIFEST_FILE = PROJECT_FILES.manifest;

export interface GenerateOptions {
  readonly tool: HlsTool;
  readonly provenance: Provenance;
  /** Where the weights came from: a folder, or seeded random weights. */
  readonly weights: { readonly source: 'trained'; readonly dir: string } | { readonly source: 'random'; readonly seed: number };
  /** Golden images in the testbench and the simulation, and their seed. */
  readonly images: number;
  readonly seed: number;
  readonly calibration?: CalibrationSpec;
  readonly file?: string;
}

/** OUT/manifest.json (schemas/manifest.schema.json). */
export interface ProjectManifest {
  readonly format: 'trips-hw-project';
  readonly version: 1;
  readonly name: string;
  readonly designHash: string;
  readonly modelHash: string;
  readonly generator: Provenance;
  readonly hlsTool: HlsTool;
  readonly board: { readonly name: string; readonly part: string };
  readonly clockMhz: number;
  readonly weights: GenerateOptions['weights'];
  readonly golden: { readonly images: number; readonly seed: number };
  readonly predicted: { readonly fps: number; readonly cycles: number };
  readonly chunks: readonly { readonly id: string; readonly ident: string; readonly layers: number; readonly predictedCycles: number }[];
  readonly layers: readonly {
    readonly name: string;
    readonly ident: string;
    readonly op: string;
    readonly chunk: string;
    readonly predictedCycles: number;
  }[];
  readonly files: readonly { readonly path: string; readonly bytes: number; readonly sha256: string }[];
}

export interface GeneratedProject {
  readonly program: ProgramSpec;
  readonly golden: GoldenVectors;
  readonly manifest: ProjectManifest;
  /** Every file, the manifest included; paths relative to the output folder. */
  readonly files: readonly GeneratedFile[];
  /** Milliseconds: lowering + rendering (what `generate` is timed by), and the golden model. */
  readonly timing: { readonly lowerRenderMs: number; readonly goldenMs: number };
}

function describeWeights(w: GenerateOptions['weights']): string {
  return w.source === 'trained' ? `trained (${w.dir})` : `seeded random stand-ins (seed ${w.seed}), not trained`;
}

/** Lower and render the whole project. */
export function generateProject(design: DesignPoint, model: IntegerModel, options: GenerateOptions): GeneratedProject {
  const t0 = performance.now();
  const program = lowerDesignToProgram(design, model, { calibration: options.calibration, file: options.file });
  const t1 = performance.now();
  const golden = computeGoldenVectors(model, program, options.images, options.seed);
  const t2 = performance.now();
  const hls = lowerProgramToHls(program, golden, {
    tool: options.tool,
    toolVersion: options.provenance.toolVersion,
    board: design.board,
    weights: describeWeights(options.weights),
  });
  const files: GeneratedFile[] = [
    ...renderHls(hls),
    ...renderRtl(program, { toolVersion: options.provenance.toolVersion }),
    ...renderSynthFiles(program, { part: design.board.part, toolVersion: options.provenance.toolVersion }),
    { path: PROGRAM_FILE, content: `${JSON.stringify(program)}\n` },
    { path: GOLDEN_FILE, content: `${JSON.stringify(golden)}\n` },
  ];
  const t3 = performance.now();
  const manifest: ProjectManifest = {
    format: 'trips-hw-project',
    version: 1,
    name: program.name,
    designHash: program.designHash,
    modelHash: program.modelHash,
    generator: options.provenance,
    hlsTool: options.tool,
    board: { name: design.board.name, part: plainText(design.board.part, 64) },
    clockMhz: program.clockMhz,
    weights: options.weights,
    golden: { images: golden.images, seed: golden.seed },
    predicted: { fps: program.predictedFps, cycles: Math.max(0, ...program.chunks.map((c) => c.predictedCycles)) },
    chunks: program.chunks.map((c) => ({ id: c.id, ident: c.ident, layers: c.layers.length, predictedCycles: c.predictedCycles })),
    layers: program.layers.map((l) => ({
      name: l.name,
      ident: l.ident,
      op: l.op,
      chunk: program.chunks[l.chunk].id,
      predictedCycles: l.predictedCycles,
    })),
    files: files.map((f) => ({
      path: f.path,
      bytes: Buffer.byteLength(f.content),
      sha256: createHash('sha256').update(f.content).digest('hex'),
    })),
  };
  files.push({ path: MANIFEST_FILE, content: `${JSON.stringify(manifest, null, 2)}\n` });
  return { program, golden, manifest, files, timing: { lowerRenderMs: t1 - t0 + (t3 - t2), goldenMs: t2 - t1 } };
}
