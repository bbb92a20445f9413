/**
 * The resource model's LUT and FF estimates calibrated — stage: calibrate. Measurements are
 * chunks a synthesis tool mapped: synth records of `trips-hw synth` (Yosys; one JSON line per
 * chunk, OUT/synth/records.jsonl) and Vivado's `report_utilization -hierarchical` of a
 * generated project (the `<chunk>_synth.tcl` each chunk has; one row per chunk instance). Each
 * is the LOGIC_TERMS of the chunk's engine — counted from its compile-time sizes, which a synth
 * record carries and a project's rtl/ defines — next to the LUT and FF measured. The two
 * estimates are fitted as the cycle model is (fit.ts: non-negative least squares on relative
 * error, pulled towards the defaults, the pull chosen by cross-validation) and judged on
 * designs held out of the fit. DSP48 and BRAM18 are structure, not fitted: a measurement that
 * disagrees with the model's count is reported (`structureMismatches`), not absorbed.
 */
import { createHash } from 'node:crypto';
import { basename, dirname } from 'node:path';
import { logicTermsInto } from '../accel/resources.js';
import {
  DEFAULT_RESOURCE_MODEL,
  type FpgaFamily,
  familyOfPart,
  LOGIC_TERMS,
  type LogicCoefficients,
  type LogicShape,
} from '../accel/resource-model.js';
import { InputError } from '../core/diagnostics.js';
import { readJsonLinesFile, readTextFile } from '../core/files.js';
import { validateArtifactLine } from '../core/schema.js';
import { loadProject, loadRtlChunk } from '../sim/project.js';
import { fitLinear, type LinearSample, predictLinear } from './fit.js';
import type { ErrorStats, HeldOutError } from './types.js';
import { chooseRidgeLinear, crossValidateLinear, errorStats } from './validate.js';
import { totalLuts } from '../synth/netlist.js';
import { parseUtilizationReport } from './vivado-utilization.js';

export type ResourceSource = 'yosys' | 'vivado';

export interface ResourceMeasurement {
  /** Hash of what it came from (the record line, the report row). */
  readonly id: string;
  /** Design hash: chunks of one design are held out together. */
  readonly design: string;
  readonly chunk: string;
  readonly source: ResourceSource;
  /** Tool and version (`Yosys 0.55 …`, `Vivado v.2023.2`). */
  readonly by: string;
  /** LOGIC_TERMS of the chunk's engine, in that order. */
  readonly terms: readonly number[];
  /** Every LUT: as logic and as memory (Vivado's Total LUTs; Yosys's lut + lutram). */
  readonly lut: number;
  readonly ff: number;
  /** What the tool mapped and what the model counts, for the structure check. */
  readonly dsp: { readonly measured: number; readonly model: number } | null;
  readonly bram18: { readonly measured: number; readonly model: number } | null;
}

/** calibration.json `resources`: the fitted LUT and FF coefficients and how they were judged. */
export interface ResourceCalibration {
  readonly lut: LogicCoefficients;
  readonly ff: LogicCoefficients;
  readonly fit: { readonly method: string; readonly ridge: { readonly lut: number | null; readonly ff: number | null } };
  readonly records: {
    readonly count: number;
    readonly designs: number;
    readonly bySource: Readonly<Partial<Record<ResourceSource, number>>>;
    readonly ids: readonly string[];
  };
  readonly tools: readonly string[];
  readonly heldOut: { readonly lut: HeldOutError; readonly ff: HeldOutError } | null;
  readonly inSample: { readonly lut: ErrorStats; readonly ff: ErrorStats };
  /** Chunks whose DSP48 or BRAM18 differ from the model's count (structure the model gets wrong). */
  readonly structureMismatches: readonly { readonly chunk: string; readonly design: string; readonly what: string }[];
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export function logicTermsOf(shape: LogicShape, ultrascale: boolean): number[] {
  return Array.from(logicTermsInto(shape, ultrascale, new Float64Array(LOGIC_TERMS.length)));
}

/** The fields of a synth record (src/synth/records.ts) that calibration reads. */
interface SynthRecordFields {
  readonly designHash: string;
  readonly chunk: string;
  readonly sizes: LogicShape;
  readonly family: FpgaFamily;
  readonly tool: { readonly name: string; readonly version: string };
  readonly measured: {
    readonly lut: number;
    readonly lutram: number;
    readonly ff: number;
    readonly dsp48: number;
    readonly bram18: number;
  };
  readonly model: { readonly dsp: number; readonly bram18: number };
}

/** A chunk Yosys synthesised as a measurement: its terms from its sizes, every LUT (logic and memory), its FFs; the structure check when the model's counts are known. */
export function yosysMeasurement(c: {
  readonly id: string;
  readonly design: string;
  readonly chunk: string;
  readonly by: string;
  readonly sizes: LogicShape;
  readonly family: FpgaFamily;
  readonly measured: SynthRecordFields['measured'];
  readonly model?: SynthRecordFields['model'];
}): ResourceMeasurement {
  return {
    id: c.id,
    design: c.design,
    chunk: c.chunk,
    source: 'yosys',
    by: c.by,
    terms: logicTermsOf(c.sizes, c.family === 'xcup'),
    lut: totalLuts(c.measured),
    ff: c.measured.ff,
    dsp: c.model ? { measured: c.measured.dsp48, model: c.model.dsp } : null,
    bram18: c.model ? { measured: c.measured.bram18, model: c.model.bram18 } : null,
  };
}

/** Synth records (JSON lines, `trips-hw synth`; schemas/synth-record.schema.json): one measurement per chunk. */
export function readSynthRecords(file: string): ResourceMeasurement[] {
  return readJsonLinesFile(file, 'a JSON-lines file of synth records').map((jsonLine) => {
    const r = validateArtifactLine<SynthRecordFields>('synth-record', jsonLine, file);
    if (r.measured.lut <= 0 || r.measured.ff <= 0)
      throw new InputError(
        file,
        `line ${jsonLine.line}`,
        `/measured: expected a chunk with LUTs and FFs, found ${r.measured.lut} LUT, ${r.measured.ff} FF`,
      );
    return yosysMeasurement({
      id: sha(jsonLine.text),
      design: r.designHash,
      chunk: r.chunk,
      by: r.tool.version,
      sizes: r.sizes,
      family: r.family,
      measured: r.measured,
      model: r.model,
    });
  });
}

/**
 * A Vivado `report_utilization -hierarchical` of chunks of a generated project (the project:
 * the folder above the report's rtl/, or `project`). A chunk is the row of instance
 * `<ident>_top` — the top of its `<chunk>_synth.tcl` run — or, in a larger design, any
 * instance of module `<ident>_top`; its `u_engine` row (the trips_chunk engine) is measured
 * when the report has it, the top's own row otherwise. A report with no chunk of the project
 * is bad input.
 */
export function readVivadoUtilization(file: string, project?: string): ResourceMeasurement[] {
  const report = parseUtilizationReport(readTextFile(file, 'a Vivado report_utilization -hierarchical report'), file);
  const dir = project ?? (basename(dirname(file)) === 'rtl' ? dirname(dirname(file)) : dirname(file));
  const { program, manifest } = loadProject(dir);
  const family = report.device === null ? undefined : familyOfPart(report.device);
  if (!family)
    throw new InputError(
      file,
      'Device',
      `expected a 7-series or UltraScale+ part, found ${report.device === null ? 'none' : `"${report.device}"`}`,
    );
  const out: ResourceMeasurement[] = [];
  for (const chunk of program.chunks) {
    const top = `${chunk.ident}_top`;
    const rows = report.rows.filter((r) => r.instance === top || r.module === top || r.module.startsWith(`${top}__`));
    if (rows.length === 0) continue;
    const terms = logicTermsOf(loadRtlChunk(dir, program, manifest, chunk.index).sizes, family === 'xcup');
    for (const row of rows) {
      const engine = report.rows.find((r) => r.parent === row.path && r.instance === 'u_engine') ?? row;
      out.push({
        id: sha(`${file}:${engine.path}:${engine.lut}:${engine.ff}`),
        design: program.designHash,
        chunk: chunk.id,
        source: 'vivado',
        by: report.tool ?? 'Vivado',
        terms,
        lut: engine.lut,
        ff: engine.ff,
        dsp: { measured: engine.dsp, model: chunk.resources.dsp },
        bram18: { measured: engine.ramb18 + 2 * engine.ramb36, model: chunk.resources.bram18 },
      });
    }
  }
  if (out.length === 0)
    throw new InputError(
      file,
      '',
      `expected an instance of a chunk of ${program.name} (${program.chunks.map((c) => `${c.ident}_top`).join(', ')}): the report of a chunk's <chunk>_synth.tcl, or of a design that holds them`,
    );
  for (const m of out)
    if (m.lut <= 0 || m.ff <= 0)
      throw new InputError(file, `/${m.chunk}`, `expected a chunk with LUTs and FFs, found ${m.lut} LUT, ${m.ff} FF`);
  return out;
}

const defaultsOf = (c: LogicCoefficients) => LOGIC_TERMS.map((t) => c[t]);
const coefficientsOf = (flat: readonly number[]) =>
  Object.fromEntries(LOGIC_TERMS.map((t, i) => [t, flat[i]])) as unknown as LogicCoefficients;

/**
 * Fit LUT and FF on the measurements and judge both on designs held out (k-fold by design),
 * each fit pulled towards `anchor` (the default coefficients; bench:synth, whose chunks the
 * defaults were fitted to, anchors at the structural prior).
 */
export function calibrateResources(
  measurements: readonly ResourceMeasurement[],
  folds = 5,
  anchor: { readonly lut: LogicCoefficients; readonly ff: LogicCoefficients } = DEFAULT_RESOURCE_MODEL,
): ResourceCalibration {
  const fitOne = (value: (m: ResourceMeasurement) => number, defaults: readonly number[]) => {
    const samples: LinearSample[] = measurements.map((m) => ({ row: m.terms, value: value(m), group: m.design }));
    const ridge = chooseRidgeLinear(samples, defaults, folds);
    const flat = fitLinear(samples, defaults, ridge);
    return {
      coefficients: coefficientsOf(flat),
      ridge: ridge === Infinity ? null : ridge,
      heldOut: crossValidateLinear(samples, defaults, folds, 'auto'),
      inSample: errorStats(
        samples.map((s) => predictLinear(s.row, flat)),
        samples.map((s) => s.value),
      ),
    };
  };
  const lut = fitOne((m) => m.lut, defaultsOf(anchor.lut));
  const ff = fitOne((m) => m.ff, defaultsOf(anchor.ff));
  const bySource: Partial<Record<ResourceSource, number>> = {};
  for (const m of measurements) bySource[m.source] = (bySource[m.source] ?? 0) + 1;
  const mismatches = measurements.flatMap((m) => {
    const what = [
      m.dsp && m.dsp.measured !== m.dsp.model ? `DSP48 ${m.dsp.measured} measured, ${m.dsp.model} modelled` : '',
      m.bram18 && m.bram18.measured !== m.bram18.model ? `BRAM18 ${m.bram18.measured} measured, ${m.bram18.model} modelled` : '',
    ]
      .filter((s) => s !== '')
      .join('; ');
    return what ? [{ chunk: m.chunk, design: m.design, what }] : [];
  });
  return {
    lut: lut.coefficients,
    ff: ff.coefficients,
    fit: {
      method:
        'non-negative least squares on relative error over LOGIC_TERMS, ridge towards the default coefficients (strength chosen by cross-validation)',
      ridge: { lut: lut.ridge, ff: ff.ridge },
    },
    records: {
      count: measurements.length,
      designs: new Set(measurements.map((m) => m.design)).size,
      bySource,
      ids: measurements.map((m) => m.id),
    },
    tools: [...new Set(measurements.map((m) => m.by))].sort(),
    heldOut: lut.heldOut && ff.heldOut ? { lut: lut.heldOut, ff: ff.heldOut } : null,
    inSample: { lut: lut.inSample, ff: ff.inSample },
    structureMismatches: mismatches,
  };
}
