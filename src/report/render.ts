/**
 * renderReport — run data + charts → one self-contained HTML page: inline CSS, inline SVG, no
 * script and no network, so it opens anywhere and can be mailed as one file. Values are HTML-
 * escaped by Handlebars; only the SVG vega rendered is inserted raw.
 */
import { meanAbsolutePercentError } from '../core/error-stats.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { PACKAGE_ROOT } from '../core/paths.js';
import type { Chart } from './charts.js';
import type { RunData } from './data.js';

const int = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (v: number, digits = 2) => `${(100 * v).toFixed(digits)} %`;

interface ReportCard {
  readonly label: string;
  readonly value: string;
  readonly class: string;
}

/** The headline numbers. */
function cardsOf(run: RunData): ReportCard[] {
  const cards: ReportCard[] = [];
  const card = (label: string, value: string, cls = '') => cards.push({ label, value, class: cls });
  if (run.train) card('test accuracy (integer model)', pct(run.train.integerAccuracy ?? run.train.accuracy));
  card('FPS (model, searched accelerator)', int(run.design.predicted.fps));
  if (run.finalDesign) card('FPS (calibrated model, final accelerator)', int(run.finalDesign.predicted.fps));
  const finished = run.records.filter((r) => r.measured !== null);
  if (run.records.length > 0) {
    const exact = run.records.every((r) => r.bitExact);
    card(
      'RTL vs golden model',
      exact ? `bit-exact (${run.records.length} layer runs)` : `${run.records.filter((r) => !r.bitExact).length} layers differ`,
      exact ? 'ok' : 'bad',
    );
    const mapePct = meanAbsolutePercentError(
      finished.map((r) => r.predicted),
      finished.map((r) => r.measured as number),
    );
    if (finished.length) card('cycle error, uncalibrated (MAPE)', pct(mapePct / 100));
  }
  if (run.system) {
    const s = run.system;
    card(
      `FPS measured (whole accelerator in Verilator, ${s.images} images)`,
      s.bitExact ? int(s.measured.fps) : 'not bit-exact',
      s.bitExact ? 'ok' : 'bad',
    );
  }
  const held = run.calibration?.heldOut;
  if (held) card(`cycle error after calibration (held out, ${held.method})`, `${held.after.mapePct.toFixed(2)} %`);
  card('DSP / BRAM18', `${int(run.design.predicted.dsp)} / ${int(run.design.predicted.bram18)}`);
  return cards;
}

function tables(run: RunData) {
  const report = run.cost;
  const cost = new Map(report.chunks.map((c) => [c.id, c]));
  const chunkTable = {
    header: ['chunk', 'layers', 'bits', 'parallel', 'loop order', 'tiles M×N×R×C', 'PE', 'port', 'cycles', 'DSP', 'BRAM18', 'LUT'],
    rows: run.design.accelerator.chunks.map((c) => {
      const p = c.params;
      const k = cost.get(c.id);
      return [
        c.id,
        String(c.layers.length),
        String(c.bits),
        p.parallel,
        p.loopOrder,
        `${p.tileM}×${p.tileN}×${p.tileR}×${p.tileC}`,
        `${p.peM}×${p.peN}`,
        String(p.portBits),
        int(k?.cycles ?? 0),
        int(k?.dsp ?? 0),
        int(k?.bram18 ?? 0),
        int(k?.lut ?? 0),
      ];
    }),
  };
  const measured = new Map(run.records.filter((r) => r.image === 0).map((r) => [r.layer, r]));
  const layerTable = {
    header: ['layer', 'kind', 'shape in → out', 'kernel/stride', 'bits', 'chunk', 'MACs', 'cycles (model)', 'cycles (RTL)'],
    rows: report.layers.map((l) => {
      const spec = run.design.network.layers.find((x) => x.name === l.name);
      const m = measured.get(l.name);
      return [
        l.name,
        l.kind,
        spec ? `${spec.inH}×${spec.inW}×${spec.inC} → ${spec.outH}×${spec.outW}×${spec.outC}` : '',
        spec ? `${spec.kernel}/${spec.stride}` : '',
        spec ? `${spec.bits}→${spec.outBits}` : '',
        l.chunk,
        int(l.macs),
        int(l.cycles),
        m?.measured != null ? int(m.measured) : '—',
      ];
    }),
  };
  return { chunkTable, layerTable };
}

let template: ((context: unknown) => string) | undefined;

export function renderReport(run: RunData, charts: readonly Chart[], meta: { toolVersion: string; createdAt: string }): string {
  template ??= Handlebars.create().compile(readFileSync(join(PACKAGE_ROOT, 'templates', 'report', 'report.html.hbs'), 'utf8'), {
    strict: true,
  });
  const d = run.design;
  return template({
    ...meta,
    name: d.name,
    subtitle: `${d.network.layers.length} layers on ${d.accelerator.chunks.length} chunks · ${d.board.displayName} (${d.board.part}) at ${d.accelerator.clockMhz} MHz${d.search ? ` · searched with the ${d.search.preset} preset on ${d.search.dataset}` : ''}`,
    cards: cardsOf(run),
    charts,
    ...tables(run),
    dir: run.dir,
    designFile: run.designFile,
    stages: run.stages.length === 0 ? '' : ` · flow stages ${run.stages.map((s) => `${s.stage} ${s.seconds.toFixed(0)} s`).join(', ')}`,
  });
}
