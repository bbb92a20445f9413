/**
 * `trips-hw generate` — stage: cli. In: a design file, optionally trained weights, a calibration,
 * the HLS tool. Out: a generated project folder (hls/, rtl/, program.json, golden.json,
 * manifest.json; backend/project.ts writes it) and a GenerateSummary. Without --weights it says
 * on stderr that the project uses seeded random weights.
 */
import { Flags } from '@oclif/core';
import { HLS_TOOLS, type HlsTool } from '../../backend/hls/lower.js';
import { generateToFolder, type GenerateSummary } from '../../backend/project.js';
import { checkOutputDir } from '../../core/files.js';
import { makeProvenance } from '../../core/provenance.js';
import { BACKENDS, type BackendName } from '../../nn/backend.js';
import { BaseCommand } from '../base-command.js';
import { loadCalibration, loadDesign } from '../../accel/load.js';

export default class Generate extends BaseCommand {
  static override summary = 'Generate the hardware of a design: HLS project, RTL parameters and programs, golden vectors, manifest.';

  static override description =
    `Builds the integer model of the design's network from its weights (BN folded, per-channel requantisation) and lowers design + model into the layer program every hardware view runs. Writes into OUT:
  hls/           a Vivado HLS / Vitis HLS project: one engine per chunk (tiles, PE unroll and loop order of the chunk as pragmas and loop nests), a top function, weight headers, a C testbench with golden vectors, run_hls.tcl for the chosen tool, a Makefile whose csim target builds everything with g++
  rtl/           per chunk the parameters (<chunk>_params.vh), the layer program (<chunk>_program.mem) and a top for the hw/rtl engine; files.f and a FuseSoC core (trips-hw sim runs them in Verilator)
  program.json   the layer program (descriptors, arena addresses, per-chunk parameter images)
  golden.json    golden vectors of the integer model (inputs, every layer's output codes, scores)
  manifest.json  design and model hashes, tool versions, per-layer predicted cycles, every file's sha256
Without --weights the network gets seeded random weights (calibrated ranges, not trained), and the command says so. Prints the time taken by lowering and rendering.`;

  static override examples = [
    {
      description: 'Generate a searched design with the weights `trips-hw train` gave it, then C-simulate it',
      command:
        '<%= config.bin %> <%= command.id %> --design runs/quick/design.json --weights runs/quick/train/weights --out runs/quick/hw && make -C runs/quick/hw/hls csim',
    },
    {
      description: 'A project for Vivado HLS 2020.1, with random stand-in weights',
      command: '<%= config.bin %> <%= command.id %> --design runs/cifar22/design.json --tool vivado-hls-2020.1 --out runs/cifar22/hw',
    },
  ];

  static override flags = {
    design: Flags.string({ required: true, description: 'design file (from explore or search)', helpValue: 'FILE' }),
    weights: Flags.string({
      description: 'trained weights folder (weights_manifest.json + weights.bin); default: seeded random weights',
      helpValue: 'DIR',
    }),
    out: Flags.string({ required: true, description: 'output folder', helpValue: 'DIR' }),
    tool: Flags.option({ options: HLS_TOOLS, default: 'vitis-hls-2023.2' as HlsTool, description: 'HLS tool the project is for' })(),
    images: Flags.integer({ default: 2, min: 1, max: 64, description: 'golden images in the testbench and the simulation' }),
    seed: Flags.integer({ default: 1, description: 'seed of the golden images (and of random weights)' }),
    calibration: Flags.string({ description: 'calibration file: predicted cycles from the fitted cost model', helpValue: 'FILE' }),
    backend: Flags.option({ options: BACKENDS, description: 'TF.js backend for reading or making weights' })(),
  };

  async run(): Promise<GenerateSummary> {
    const { flags } = await this.parse(Generate);
    checkOutputDir(flags.out);
    const design = loadDesign(flags.design);
    const calibration = flags.calibration === undefined ? undefined : loadCalibration(flags.calibration);
    if (flags.weights === undefined)
      process.stderr.write(
        `no --weights: generating with seeded random weights (seed ${flags.seed}); the project computes exactly, but not a trained network\n`,
      );
    const summary = await generateToFolder({
      design,
      designFile: flags.design,
      weightsDir: flags.weights,
      out: flags.out,
      tool: flags.tool as HlsTool,
      images: flags.images,
      seed: flags.seed,
      backend: flags.backend as BackendName | undefined,
      calibration,
      provenance: makeProvenance({ seed: flags.seed, command: `generate ${this.argv.join(' ')}` }),
    });
    const t = summary.timing;
    this.log(
      [
        `design    ${design.name} (${summary.designHash.slice(0, 16)}), ${summary.layers} layers on ${summary.chunks} chunks, ${summary.predictedFps.toFixed(1)} FPS predicted`,
        `weights   ${summary.weights.source === 'trained' ? summary.weights.dir : `random (seed ${summary.weights.seed})`}`,
        `wrote     ${summary.files} files to ${summary.out} (hls/ for ${summary.tool}, rtl/, program.json, golden.json, manifest.json)`,
        `time      lower + render ${t.lowerRenderMs.toFixed(0)} ms; golden model ${t.goldenMs.toFixed(0)} ms; weights ${t.weightsMs.toFixed(0)} ms`,
        `next      make -C ${summary.out}/hls csim; trips-hw sim --project ${summary.out}`,
      ].join('\n'),
    );
    return summary;
  }
}
