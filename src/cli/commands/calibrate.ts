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
  return `${name.padEnd(10)} MAPE ${s.mapePct.toFixed(2)} %, P90 ${s.p90Pct.toFixed(2)} %, max ${s.maxPct.toFixed(2)} %, within ±10 % ${s.within10Pct.toFixed(1)} %, Spearman ${s.spearman.toFixed(3)}`;
}

export default class Calibrate extends BaseCommand {
  static override summary =
    'Fit the cost model to measured cycles (Verilator sim records, board timings, HLS reports) and the resource model to synthesis (Yosys synth records, Vivado utilization reports).';

  static override description =
    `Every measurement is the analytical model's terms (overlap, prologue, weight load, output, params, steps, tiles, fixed; docs/cost-model.md) next to the cycles measured. The coefficients are fitted per layer class (conv, depthwise, eltwise) and loop order by non-negative least squares on relative error, pulled towards the defaults where no measurement says otherwise, and judged by k-fold cross-validation that holds out whole designs: the held-out error before (default coefficients) and after calibration is printed and written with the coefficients, the measurements (by hash) and the simulators into --out. estimate, explore and search take the file with --calibration.

Measurements:
  --records F      sim records of trips-hw sim (OUT/sim/records.jsonl); bit-exact layers that finished
  --board-csv F    board timings: a CSV with a header naming design, layer, cycles (design: the hash in the project's manifest.json, 8+ hex digits; layer: a layer name or * for a whole image)
  --hls-report F   a Vivado HLS 2020.1 / Vitis HLS 2023.2 co-simulation report (<top>_cosim.rpt) or synthesis report (csynth.xml) of a generated project: the latency of a whole image
  --design F       the designs board timings and HLS reports refer to

Resources (LUT and FF; DSP48 and BRAM18 are structure, checked and not fitted):
  --synth-records F  synth records of trips-hw synth (OUT/synth/records.jsonl)
  --vivado-util F    Vivado report_utilization -hierarchical of a generated project's chunks (OUT/rtl/<chunk>_utilization.rpt, from <chunk>_synth.tcl), or of a design that instantiates <chunk>_top; the project is the folder above rtl/, or --project
The LUT and FF estimates are linear in counts of the engine's structures (docs/cost-model.md "Resources"); they are fitted and judged the same way, held out by design.`;

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
    'synth-records': Flags.string({
      multiple: true,
      default: [],
      description: 'synth records file of trips-hw synth (JSON lines), repeatable',
      helpValue: 'FILE',
    }),
    'vivado-util': Flags.string({
      multiple: true,
      default: [],
      description: 'Vivado report_utilization -hierarchical of chunks of a generated project, repeatable',
      helpValue: 'FILE',
    }),
    project: Flags.string({
      description: "the generated project that --vivado-util reports belong to (default: the folder above the report's rtl/)",
      helpValue: 'DIR',
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
      synthRecords: flags['synth-records'],
      vivadoReports: flags['vivado-util'],
      project: flags.project,
      out: flags.out,
      folds: flags.folds,
      toolVersion: makeProvenance().toolVersion,
    });
    const held = summary.heldOut;
    const res = summary.calibration.resources;
    const cycles =
      summary.records === 0
        ? ['cycles    no measurements: the default coefficients']
        : [
            `measured  ${summary.records} (${summary.designs} designs${summary.skipped ? `; ${summary.skipped} records skipped: not bit-exact or unfinished` : ''})`,
            held ? `held out  ${held.method}` : 'held out  none (one measurement)',
            ...(held ? [line('before', held.before), line('after', held.after)] : []),
            line('in-sample', summary.inSample),
          ];
    const resources = res
      ? [
          `chunks    ${res.records.count} synthesised (${res.records.designs} designs; ${res.tools.join(', ')})`,
          res.heldOut ? `held out  ${res.heldOut.lut.method}` : 'held out  none (one chunk)',
          ...(res.heldOut
            ? [
                line('LUT before', res.heldOut.lut.before),
                line('LUT after', res.heldOut.lut.after),
                line('FF before', res.heldOut.ff.before),
                line('FF after', res.heldOut.ff.after),
              ]
            : []),
          ...res.structureMismatches.map((m) => `structure ${m.chunk}: ${m.what}`),
        ]
      : [];
    this.log([...cycles, ...resources, `wrote     ${summary.out ?? '(nothing: no --out)'}`].join('\n'));
    return summary;
  }
}
