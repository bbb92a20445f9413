/**
 * `trips-hw estimate` — stage: cli. In: a design file and optionally a calibration. Out: the
 * design's cost report (per layer, per chunk, FPS, latency, resources), as text or with --json.
 * Pure apart from reading the files: an infeasible design is reported with its reason, not as an
 * error.
 */
import { Flags } from '@oclif/core';
import { estimateDesign, type CostReport } from '../../accel/index.js';
import { BaseCommand } from '../base-command.js';
import { formatEstimate } from '../format.js';
import { loadCalibration, loadDesign } from '../../accel/load.js';

export default class Estimate extends BaseCommand {
  static override summary = 'Cost of a design: per layer, per chunk, FPS, latency and resources.';

  static override description =
    `Runs the analytical cost model on a design file (written by explore or search): cycles, MACs and PE utilisation per layer; parameters, cycles, DSP, BRAM18 and LUT per chunk; FPS, latency and resource use against the board's budget. An infeasible design is reported with its reason, not as an error.

--calibration replaces the default cycle-model coefficients with fitted ones. --json prints the whole cost report.`;

  static override examples = [
    {
      description: 'Explore an accelerator for the CIFAR fixture network, then cost it',
      command:
        '<%= config.bin %> explore --genotype test/fixtures/cifar22-mixed.genotype.json --board zc706 --out runs/cifar22/design.json && <%= config.bin %> <%= command.id %> --design runs/cifar22/design.json',
    },
    {
      description: 'The cost report as JSON',
      command: '<%= config.bin %> <%= command.id %> --design runs/cifar22/design.json --json',
    },
  ];

  static override flags = {
    design: Flags.string({ required: true, description: 'design file (from explore or search)', helpValue: 'FILE' }),
    calibration: Flags.string({ description: 'calibration file with fitted cost-model coefficients', helpValue: 'FILE' }),
  };

  async run(): Promise<CostReport> {
    const { flags } = await this.parse(Estimate);
    const design = loadDesign(flags.design);
    const calibration = flags.calibration === undefined ? undefined : loadCalibration(flags.calibration);
    const report = estimateDesign(design, calibration, flags.design);
    this.log(formatEstimate(design, report));
    return report;
  }
}
