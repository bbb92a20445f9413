/**
 * `trips-hw calibrate` — stage: cli. In: sim records, board timing CSVs, HLS reports and the
 * designs they refer to. Out: a calibration file (only with --out, checked before work starts)
 * and a CalibrateSummary with the held-out error before and after calibration. The fit itself is
 * calibrate/; this file parses flags and prints the error lines.
 */
import { Flags } from '@oclif/core';
import { calibrateFromFiles, type CalibrateSummary, type ErrorStats } from '../../calibrate/index.js';
import { checkOutputFile } from '../../core/files.js';
import { makeProvenance } from '../../core/provenance.js';
import { BaseCommand } from '../base-command.js';
import { loadDesign } from '../../accel/load.js';

function line(name: string, s: ErrorStats): string {
  return `${name.padEnd(8)} MAPE ${s.mapePct.toFixed(2)} %, P90 ${s.p90Pct.toFixed(2)} %, max ${s.maxPct.toFixed(2)} %, within ±10 % ${s.within10Pct.toFixed(1)} %, Spearman ${s.spearman.toFixed(3)}`;
}

export default class Calibrate extends BaseCommand {
  static override summary = 'Fit the cost model to measured cycles: Verilator sim records, board timings, HLS reports.';

  static override description =
    `Every measurement is the analytical model's terms (overlap, prologue, weight load, output, params, steps, tiles, fixed; docs/cost-model.md) next to the cycles measured. The coefficients are fitted per layer class (conv, depthwise, eltwise) and loop order by non-negative least squares on relative error, pulled towards the defaults where no measurement says otherwise, and judged by k-fold cross-validation that holds out whole designs: the held-out error before (default coefficients) and after calibration is printed and written with the coefficients, the measurements (by hash) and the simulators into --out. estimate, explore and search take the file with --calibration.

Measurements:
  --records F      sim records of trips-hw sim (OUT/sim/records.jsonl); bit-exact layers that finished
  --board-csv F    board timings: a CSV with a header naming design, layer, cycles (design: the hash in the project's manifest.json, 8+ hex digits; layer: a layer name or * for a whole image)
  --hls-report F   a Vivado HLS 2020.1 / Vitis HLS 2023.2 co-simulation report (<top>_cosim.rpt) or synthesis report (csynth.xml) of a generated project: the latency of a whole image
  --design F       the designs board timings and HLS reports refer to`;

  static override examples = [
    {
      description: 'Calibrate on the records of two simulated projects, write calibration.json, then search with it',
      command:
        '<%= config.bin %> <%= command.id %> --records runs/a/hw/sim/records.jsonl --records runs/b/hw/sim/records.jsonl --out runs/calibration.json && <%= config.bin %> estimate --design runs/a/design.json --calibration runs/calibration.json',
    },
    {
      description: 'Add timings measured on the board',
      command:
        '<%= config.bin %> <%= command.id %> --records runs/a/hw/sim/records.jsonl --board-csv zc706-timings.csv --design runs/a/design.json --out runs/calibration.json',
    },
  ];

  static override flags = {
    records: Flags.string({ multiple: true, default: [], description: 'sim records file (JSON lines), repeatable', helpValue: 'FILE' }),
    'board-csv': Flags.string({
      multiple: true,
      default: [],
      description: 'board timings CSV (design, layer, cycles), repeatable',
      helpValue: 'FILE',
    }),
    'hls-report': Flags.string({
      multiple: true,
      default: [],
      description: 'HLS co-simulation or synthesis report, repeatable',
      helpValue: 'FILE',
    }),
    design: Flags.string({
      multiple: true,
      default: [],
      description: 'design file that board timings and HLS reports refer to, repeatable',
      helpValue: 'FILE',
    }),
    folds: Flags.integer({ default: 5, min: 2, description: 'cross-validation folds (designs held out together)' }),
    out: Flags.string({ description: 'calibration file to write', helpValue: 'FILE' }),
  };

  async run(): Promise<CalibrateSummary> {
    const { flags } = await this.parse(Calibrate);
    if (flags.out !== undefined) checkOutputFile(flags.out);
    const summary = calibrateFromFiles({
      records: flags.records,
      boardCsv: flags['board-csv'],
      hlsReports: flags['hls-report'],
      designs: flags.design.map((f) => loadDesign(f)),
      out: flags.out,
      folds: flags.folds,
      toolVersion: makeProvenance().toolVersion,
    });
    const held = summary.heldOut;
    this.log(
      [
        `measured  ${summary.records} (${summary.designs} designs${summary.skipped ? `; ${summary.skipped} records skipped: not bit-exact or unfinished` : ''})`,
        held ? `held out  ${held.method}` : 'held out  none (one measurement)',
        ...(held ? [line('before', held.before), line('after', held.after)] : []),
        line('in-sample', summary.inSample),
        `wrote     ${summary.out ?? '(nothing: no --out)'}`,
      ].join('\n'),
    );
    return summary;
  }
}
