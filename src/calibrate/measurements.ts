/**
 * Measurements from what users and simulators produce: board timings (CSV of design hash, layer,
 * cycles) and Vivado / Vitis HLS reports (co-simulation latency per image; the synthesis
 * report's latency where the tool could bound it). Each becomes the model's terms for the
 * measured layer — or the sum over a network's layers — next to the measured cycles. Board
 * and HLS measurements take the terms of the design's cost report (`estimateDesign`, the
 * function `generate` lowers the program with); sim records carry the terms their prediction
 * summed (program.json → record), so each measurement is fitted on the terms it was predicted
 * with.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { coefficientKeyOf } from '../accel/cost-model.js';
import { estimateDesign } from '../accel/estimate.js';
import { COST_TERMS, type ChunkParams, type CoefficientKey, type CostTerm, type DesignPoint } from '../accel/types.js';
import type { ProjectManifest } from '../backend/generate.js';
import { hashDesign } from '../backend/program.js';
import { InputError } from '../core/diagnostics.js';
import { readJsonLinesFile, readTextFile } from '../core/files.js';
import type { LayerSpec } from '../core/network.js';
import { loadArtifact, validateArtifactLine } from '../core/schema.js';
import type { Measurement, MeasurementSource } from './types.js';
import { PROJECT_FILES } from '../core/run-layout.js';

type TermTable = Map<string, { key: CoefficientKey; terms: Record<CostTerm, number> }>;

/** A design the measurements refer to, with the model's terms of every layer. */
interface KnownDesign {
  readonly hash: string;
  readonly design: DesignPoint;
  readonly layers: TermTable;
}

export function knownDesign(design: DesignPoint): KnownDesign {
  const layers: TermTable = new Map(estimateDesign(design).layers.map((l) => [l.name, { key: l.key, terms: l.terms }]));
  return { hash: hashDesign(design), design, layers };
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** One layer's measurement, or the whole network's (`layer` = `*`: the sum of every layer's terms). */
export function measurementOf(
  known: KnownDesign,
  layer: string,
  cycles: number,
  source: MeasurementSource,
  by: string,
  id: string,
): Measurement | undefined {
  const terms: Partial<Record<CoefficientKey, Record<CostTerm, number>>> = {};
  const add = (entry: { key: CoefficientKey; terms: Record<CostTerm, number> }) => {
    terms[entry.key] ??= Object.fromEntries(COST_TERMS.map((t) => [t, 0])) as Record<CostTerm, number>;
    const into = terms[entry.key] as Record<CostTerm, number>;
    for (const t of COST_TERMS) into[t] += entry.terms[t];
  };
  if (layer === '*') for (const entry of known.layers.values()) add(entry);
  else {
    const entry = known.layers.get(layer);
    if (!entry) return undefined;
    add(entry);
  }
  return { id, design: known.hash, layer, source, terms, cycles, by };
}

function findDesign(designs: readonly KnownDesign[], hash: string): KnownDesign | undefined {
  const h = hash.toLowerCase();
  const matches = h.length >= 8 ? designs.filter((d) => d.hash.startsWith(h)) : [];
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * A CSV of board measurements: a header naming `design`, `layer` and `cycles` (any order, other
 * columns ignored), then one row per measurement; `design` is a design hash (as in the
 * project's manifest.json; 8 or more leading hex digits suffice), `layer` a layer name or `*`
 * for the whole image. `#` starts a comment line. A bad row is an `InputError` naming the file,
 * the line and the column (`board.csv: line 3: column "cycles": …`).
 */
export function readBoardCsv(file: string, designs: readonly KnownDesign[]): Measurement[] {
  const lines = readTextFile(file, 'a CSV file of board measurements (design,layer,cycles)').split(/\r?\n/);
  const rows = lines
    .map((line, i) => ({ line: i + 1, cells: line.split(',').map((c) => c.trim()) }))
    .filter((r) => r.cells.join('') !== '' && !r.cells[0].startsWith('#'));
  if (rows.length === 0) throw new InputError(file, '', 'expected a header line with the columns design, layer, cycles');
  const header = rows[0].cells.map((c) => c.toLowerCase());
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new InputError(file, `line ${rows[0].line}`, `expected a column "${name}" in the header (design, layer, cycles)`);
    return i;
  };
  const [cd, cl, cc] = [col('design'), col('layer'), col('cycles')];
  return rows.slice(1).map(({ line, cells }) => {
    const fail = (column: string, expectation: string): never => {
      throw new InputError(file, `line ${line}`, `column "${column}": ${expectation}`);
    };
    const shown = (i: number) => `"${(cells[i] ?? '').slice(0, 80)}"`;
    const cycles = Number(cells[cc]);
    if (!(Number.isFinite(cycles) && cycles > 0)) fail('cycles', `expected a positive number of cycles, found ${shown(cc)}`);
    const known = findDesign(designs, cells[cd] ?? '');
    if (!known) return fail('design', `expected the hash of a design given with --design, found ${shown(cd)}`);
    const m = measurementOf(known, cells[cl] ?? '', cycles, 'board', 'board', sha(`${file}:${line}:${cells.join(',')}`));
    if (!m) return fail('layer', `expected a layer of design ${known.design.name} or "*", found ${shown(cl)}`);
    return m;
  });
}

/** Average latency of a passing RTL co-simulation row (`| Verilog | Pass | min | avg | max | …`). */
function cosimLatency(text: string): number | undefined {
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const rtl = cells.findIndex((c) => c === 'Verilog' || c === 'VHDL');
    if (rtl < 0 || cells[rtl + 1] !== 'Pass') continue;
    const avg = Number(cells[rtl + 3]);
    if (Number.isFinite(avg) && avg > 0) return avg;
  }
  return undefined;
}

/** Average-case latency of the top function in a synthesis report (csynth.xml), when it is a number. */
function csynthLatency(text: string): number | undefined {
  const summary = /<SummaryOfOverallLatency>([\s\S]*?)<\/SummaryOfOverallLatency>/.exec(text)?.[1];
  const avg = summary && /<Average-caseLatency>\s*([^<\s]+)\s*<\/Average-caseLatency>/.exec(summary)?.[1];
  const value = Number(avg);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** The design a report belongs to: the only one given, or the one whose hash the project's manifest.json names. */
function designOfReport(file: string, designs: readonly KnownDesign[]): KnownDesign | undefined {
  if (designs.length === 1) return designs[0];
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, PROJECT_FILES.manifest);
    if (!existsSync(manifest)) continue;
    return findDesign(designs, loadArtifact<ProjectManifest>('manifest', manifest).designHash);
  }
  return undefined;
}

/**
 * A Vivado HLS 2020.1 / Vitis HLS 2023.2 report of a generated project: the co-simulation report
 * (`<top>_cosim.rpt`: the RTL's average latency per image) or the synthesis report
 * (`csynth.xml`, when the tool bounded the top function's latency). Either is the latency of
 * the whole program, one layer after another: a measurement of the sum of every layer's terms.
 */
export function readHlsReport(file: string, designs: readonly KnownDesign[]): Measurement {
  const text = readTextFile(file, 'a Vivado / Vitis HLS report (co-simulation .rpt or csynth.xml)');
  const xml = text.includes('<PerformanceEstimates>') || text.includes('<profile');
  const cycles = xml ? csynthLatency(text) : cosimLatency(text);
  if (cycles === undefined) {
    throw new InputError(
      file,
      '',
      xml
        ? 'expected a numeric average-case latency of the top function (the synthesis report leaves it undefined for variable loop bounds: use the co-simulation report)'
        : 'expected a co-simulation report with a passing Verilog or VHDL row (| Verilog | Pass | min | avg | max |)',
    );
  }
  const known = designOfReport(file, designs);
  if (!known)
    throw new InputError(
      file,
      '',
      'expected its design: give it with --design (with several designs, the report must sit inside a generated project whose manifest.json names one)',
    );
  return measurementOf(
    known,
    '*',
    cycles,
    'hls',
    xml ? 'HLS synthesis estimate' : 'HLS RTL co-simulation',
    sha(`${file}:${text}`),
  ) as Measurement;
}

/** The fields of a sim record (src/sim/records.ts) that calibration reads. */
interface SimRecordFields {
  readonly designHash: string;
  readonly layer: string;
  readonly op: LayerSpec['kind'];
  readonly arch: Pick<ChunkParams, 'loopOrder'>;
  readonly pred: { readonly key: CoefficientKey; readonly terms: Record<CostTerm, number> };
  readonly meas: { readonly cycles: number | null };
  readonly bitExact: boolean;
  readonly simulator: { readonly name: string; readonly version: string };
}

/**
 * Sim records (JSON lines, `trips-hw sim`; schemas/sim-record.schema.json): every bit-exact
 * layer that finished is a measurement of the terms its prediction summed (`pred`, from
 * program.json). A record whose coefficient set is not the one its op and loop order use is
 * bad input. Returns the measurements and how many records were skipped.
 */
export function readSimRecords(file: string): { measurements: Measurement[]; skipped: number } {
  const measurements: Measurement[] = [];
  let skipped = 0;
  for (const jsonLine of readJsonLinesFile(file, 'a JSON-lines file of sim records')) {
    const r = validateArtifactLine<SimRecordFields>('sim-record', jsonLine, file);
    const key = coefficientKeyOf(r.op, r.arch.loopOrder);
    if (r.pred.key !== key)
      throw new InputError(
        file,
        `line ${jsonLine.line}`,
        `/pred/key: expected "${key}" (a ${r.op} layer, loop order ${r.arch.loopOrder}), found "${r.pred.key}"`,
      );
    if (!r.bitExact || r.meas.cycles === null || r.meas.cycles <= 0) {
      skipped++;
      continue;
    }
    measurements.push({
      id: sha(jsonLine.text),
      design: r.designHash,
      layer: r.layer,
      source: 'sim',
      terms: { [key]: r.pred.terms },
      cycles: r.meas.cycles,
      by: `${r.simulator.name} ${r.simulator.version}`,
    });
  }
  return { measurements, skipped };
}
