/** Text reports of command results: what a person reads; `--json` gives the data itself. */
import type { ExploreResult } from '../accel/index.js';
import type { BoardSpec, ChunkParams, CostReport, DesignPoint } from '../accel/index.js';
import { formatBudget, formatFixed, formatInt, formatLarge, formatPercent, renderTable } from './table.js';

/** Chunk parameters in one token group: `mn/os T(16,16,7,7) PE 8x8 port 128`. */
function formatParams(p: ChunkParams): string {
  return `${p.parallel}/${p.loopOrder} T(${p.tileM},${p.tileN},${p.tileR},${p.tileC}) PE ${p.peM}x${p.peN} port ${p.portBits}`;
}

/** Two aligned columns: label and value. */
function renderFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

function layerTable(report: CostReport): string {
  return renderTable(
    [
      { title: 'layer' },
      { title: 'kind' },
      { title: 'chunk' },
      { title: 'cycles', align: 'right' },
      { title: 'MACs', align: 'right' },
      { title: 'PE util', align: 'right' },
    ],
    report.layers.map((l) => [
      l.name,
      l.kind,
      l.chunk,
      formatInt(l.cycles),
      formatInt(l.macs),
      l.macs === 0 ? '-' : formatPercent(l.peUtilisation),
    ]),
  );
}

function chunkTable(design: DesignPoint, report: CostReport): string {
  const params = new Map(design.accelerator.chunks.map((c) => [c.id, c.params]));
  return renderTable(
    [
      { title: 'chunk' },
      { title: 'layers', align: 'right' },
      { title: 'params' },
      { title: 'cycles', align: 'right' },
      { title: 'DSP', align: 'right' },
      { title: 'BRAM18', align: 'right' },
      { title: 'LUT', align: 'right' },
    ],
    report.chunks.map((c) => {
      const p = params.get(c.id);
      return [
        c.id,
        String(c.layers),
        p ? formatParams(p) : '?',
        formatInt(c.cycles),
        formatInt(c.dsp),
        formatInt(c.bram18),
        formatInt(c.lut),
      ];
    }),
  );
}

/** FPS, latency and every resource against the board's budget. */
function totals(report: CostReport, board: BoardSpec): [string, string][] {
  const r = board.resources;
  return [
    ['FPS', formatFixed(report.fps, 1)],
    ['latency', `${formatInt(report.latencyCycles)} cycles (${formatFixed(report.latencyMs, 3)} ms)`],
    ['DSP', formatBudget(report.dsp, r.dsp)],
    ['BRAM18', formatBudget(report.bram18, r.bram18)],
    ['LUT', formatBudget(report.lut, r.lut)],
    ['FF', formatBudget(report.ff, r.ff)],
  ];
}

export function formatEstimate(design: DesignPoint, report: CostReport): string {
  const board = design.board;
  const header = renderFields([
    ['design', design.name],
    ['board', `${board.name} (${board.part})`],
    ['clock', `${report.clockMhz} MHz`],
    ['status', report.feasible ? 'feasible' : `infeasible: ${report.reason ?? 'unknown reason'}`],
  ]);
  return [header, '', layerTable(report), '', chunkTable(design, report), '', renderFields(totals(report, board))].join('\n');
}

/** The `--json` result of explore. */
export interface ExploreSummary {
  readonly design: string;
  readonly fps: number;
  readonly latencyCycles: number;
  readonly dsp: number;
  readonly bram18: number;
  readonly lut: number;
  readonly feasible: boolean;
  readonly samples: number;
  readonly spaceSize: number;
  readonly strategy: string;
}

export function summariseExplore(result: ExploreResult, out: string): ExploreSummary {
  const { report, design } = result;
  return {
    design: out,
    fps: report.fps,
    latencyCycles: report.latencyCycles,
    dsp: report.dsp,
    bram18: report.bram18,
    lut: report.lut,
    feasible: report.feasible,
    samples: result.outcome.evaluations,
    spaceSize: result.spaceSize,
    strategy: design.explore?.strategy ?? 'unknown',
  };
}

export function formatExplore(result: ExploreResult, out: string): string {
  const { report, design } = result;
  const r = design.board.resources;
  const seed = design.explore?.seed;
  return renderFields([
    ['strategy', `${design.explore?.strategy ?? 'unknown'}${seed === undefined ? '' : ` (seed ${seed})`}`],
    ['samples', `${formatInt(result.outcome.evaluations)} (${formatInt(result.outcome.feasibleSamples)} feasible)`],
    ['space', `${formatLarge(result.spaceSize)} designs`],
    ['network', `${design.network.name}: ${design.network.layers.length} layers in ${design.accelerator.chunks.length} chunks`],
    ['board', `${design.board.name} at ${report.clockMhz} MHz`],
    ['FPS', formatFixed(report.fps, 1)],
    ['latency', `${formatInt(report.latencyCycles)} cycles (${formatFixed(report.latencyMs, 3)} ms)`],
    ['DSP', formatBudget(report.dsp, r.dsp)],
    ['BRAM18', formatBudget(report.bram18, r.bram18)],
    ['LUT', formatBudget(report.lut, r.lut)],
    ['design', out],
  ]);
}
