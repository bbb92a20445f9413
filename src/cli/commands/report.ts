/**
 * `trips-hw report` — stage: cli. In: a run folder (from flow, or search alone) and optional
 * baseline points. Out: one self-contained HTML file (default DIR/report.html; report/ writes it)
 * and a ReportSummary. The output path is checked before any work starts.
 */
import { Flags } from '@oclif/core';
import { join } from 'node:path';
import { checkInputDir, checkOutputFile } from '../../core/files.js';
import { makeProvenance } from '../../core/provenance.js';
import { writeReport, type ReportSummary } from '../../report/index.js';
import { BaseCommand } from '../base-command.js';
import { RUN_FILES } from '../../core/run-layout.js';

export default class Report extends BaseCommand {
  static override summary = 'Write a self-contained HTML report of a run folder.';

  static override description =
    `Reads a run folder (written by flow, or by search alone) and writes report.html: headline numbers (accuracy, FPS, bit-exactness, cycle error before and after calibration, resources), plots as inline SVG (accuracy vs FPS of the search epochs, the searched design and baselines; cycles per chunk, model and RTL; resources against the board; model vs RTL cycles per layer before and after calibration; the search curves of accuracy, FPS, λ and temperature) and the design's chunk and layer tables. The page works offline: no script, no CDN. Baseline points ([{label, accuracy, fps}]) come from DIR/baselines.json and --baselines; npm run bench:search writes runs/search-experiment/baselines.json (accuracy-only search, fixed accelerator, the co-search windows).`;

  static override examples = [
    { description: 'Report the run of trips-hw flow', command: '<%= config.bin %> <%= command.id %> --run runs/flow' },
    {
      description: 'Report a search run into another file',
      command: '<%= config.bin %> <%= command.id %> --run runs/quick --out /tmp/quick.html',
    },
    {
      description: 'With the Pareto experiment of bench:search as baselines',
      command: '<%= config.bin %> <%= command.id %> --run runs/flow --baselines runs/search-experiment/baselines.json',
    },
  ];

  static override flags = {
    run: Flags.string({ required: true, description: 'run folder', helpValue: 'DIR' }),
    out: Flags.string({ description: 'HTML file to write (default: DIR/report.html)', helpValue: 'FILE' }),
    baselines: Flags.string({
      description: 'baseline points to plot: a JSON array of {label, accuracy (0…1), fps}, e.g. from npm run bench:search',
      helpValue: 'FILE',
    }),
  };

  async run(): Promise<ReportSummary> {
    const { flags } = await this.parse(Report);
    checkInputDir(flags.run, 'a run folder');
    checkOutputFile(flags.out ?? join(flags.run, RUN_FILES.report));
    const summary = await writeReport(flags.run, { out: flags.out, baselines: flags.baselines, toolVersion: makeProvenance().toolVersion });
    this.log(`wrote ${summary.file} (${(summary.bytes / 1024).toFixed(0)} KiB): ${summary.charts.join(', ')}`);
    return summary;
  }
}
