/**
 * report/ — stage: run folder → report.html.
 * Reads what the earlier stages left in a run folder (design, search records, retraining, sim
 * records, calibration) and writes one self-contained page: headline numbers, plots rendered
 * to inline SVG by Vega-Lite, and the design's chunk and layer tables. What stays true: the
 * page needs no network and no script; a missing stage only removes its plots.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.js';
import { renderCharts } from './charts.js';
import { readRun, type BaselinePoint } from './data.js';
import { renderReport } from './render.js';
import { RUN_FILES } from '../core/run-layout.js';

export interface ReportSummary {
  readonly file: string;
  readonly charts: readonly string[];
  readonly bytes: number;
}

/** Read `dir`, render its report and write `dir/report.html` (or `out`). */
/** `baselines`: a baselines file, or the points already read from one (flow reads them up front). */
export async function writeReport(
  dir: string,
  options: { out?: string; baselines?: string | readonly BaselinePoint[]; toolVersion: string },
): Promise<ReportSummary> {
  const run = readRun(dir, options.baselines);
  const charts = await renderCharts(run);
  const html = renderReport(run, charts, { toolVersion: options.toolVersion, createdAt: new Date().toISOString() });
  const file = options.out ?? join(dir, RUN_FILES.report);
  writeFileAtomic(file, html);
  return { file, charts: charts.map((c) => c.id), bytes: Buffer.byteLength(html) };
}
