/**
 * What a synthesised design used, per instance: the text of Vivado's `report_utilization
 * -hierarchical` (`<name>_utilization.rpt`). Its table `1. Utilization by Hierarchy` has one row
 * per instance, indented two spaces a level below the top; each row becomes its full instance
 * path (`chunk0_top/u_engine/u_compute`) and its LUTs, flip-flops, block RAMs and DSPs. Columns
 * are found by their header name — they differ by Vivado release and device family (7-series
 * `DSP48 Blocks`, UltraScale+ `DSP Blocks` and `URAM`, sometimes `CARRY8` or `F7 Muxes`) — and
 * columns this reader does not know are ignored. Vivado's own rows for a parent's logic outside
 * its children (`(u_engine)` under `u_engine`) are kept as they are. A malformed table is an
 * `InputError` naming the file, the line and the instance or column.
 */
import { InputError } from '../core/diagnostics.js';

export interface UtilizationRow {
  /** The instance's name, as in the report (`u_engine`). */
  readonly instance: string;
  /** Its module (`trips_chunk__parameterized0`); `(top)` for the top. */
  readonly module: string;
  /** Its level below the top (0 = top). */
  readonly depth: number;
  /** The parent's instance path; null at depth 0. */
  readonly parent: string | null;
  /** The full instance path, joined by `/` (`chunk0_top/u_engine`). */
  readonly path: string;
  /** Total LUTs. */
  readonly lut: number;
  /** Logic LUTs, LUTRAMs, SRLs: null when the column or the cell is absent. */
  readonly logicLut: number | null;
  readonly lutram: number | null;
  readonly srl: number | null;
  readonly ff: number;
  /** Block RAMs: 0 when the column or the cell is absent. */
  readonly ramb36: number;
  readonly ramb18: number;
  /** `DSP48 Blocks` (7-series) or `DSP Blocks` (UltraScale+). */
  readonly dsp: number;
}

export interface UtilizationReport {
  /** The header's `Design`, `Device` and `Tool Version` (without the host and build: `Vivado v.2023.2`). */
  readonly design: string | null;
  readonly device: string | null;
  readonly tool: string | null;
  /** Every row of the hierarchy table, top first, in the report's order. */
  readonly rows: readonly UtilizationRow[];
}

type Field = 'instance' | 'module' | 'lut' | 'logicLut' | 'lutram' | 'srl' | 'ff' | 'ramb36' | 'ramb18' | 'dsp';

/** Header names of the columns read (compared without case or repeated spaces); the first found wins. */
const COLUMNS: Readonly<Record<Field, { names: readonly string[]; required: boolean }>> = {
  instance: { names: ['Instance'], required: true },
  module: { names: ['Module'], required: true },
  lut: { names: ['Total LUTs'], required: true },
  logicLut: { names: ['Logic LUTs'], required: false },
  lutram: { names: ['LUTRAMs'], required: false },
  srl: { names: ['SRLs'], required: false },
  ff: { names: ['FFs'], required: true },
  ramb36: { names: ['RAMB36'], required: false },
  ramb18: { names: ['RAMB18'], required: false },
  dsp: { names: ['DSP48 Blocks', 'DSP Blocks'], required: true },
};

const normal = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();
/** The cells between the outer bars of a table line (`| a | b |` → [' a ', ' b ']), untrimmed. */
const cellsOf = (line: string) => line.trim().split('|').slice(1, -1);
/** A count, optionally followed by the share `-hierarchical_percentages` adds (`1234(2.26%)`). */
const COUNT = /^(\d+)(?:\s*\(\s*\d+(?:\.\d+)?\s*%\s*\))?$/;

/** Parses the text of a `report_utilization -hierarchical` report; `file` names it in errors. */
export function parseUtilizationReport(text: string, file: string): UtilizationReport {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((line) => line.trim().startsWith('|') && normal(cellsOf(line)[0] ?? '') === 'instance');
  if (at < 0) {
    throw new InputError(
      file,
      '',
      'expected a table "Utilization by Hierarchy" (Instance | Module | …): not a report_utilization -hierarchical report',
    );
  }
  const info = (key: string) => {
    for (const line of lines.slice(0, at)) {
      const m = /^\s*\|\s*([^:|]+?)\s*:\s*(.*?)\s*$/.exec(line);
      if (m && normal(m[1]) === normal(key) && m[2] !== '') return m[2];
    }
    return null;
  };

  const header = cellsOf(lines[at]).map(normal);
  const index = {} as Record<Field, number>;
  for (const [field, { names, required }] of Object.entries(COLUMNS) as [Field, (typeof COLUMNS)[Field]][]) {
    index[field] = names.map((n) => header.indexOf(normal(n))).find((i) => i >= 0) ?? -1;
    if (index[field] < 0 && required) {
      throw new InputError(file, `line ${at + 1}`, `expected a column "${names.join('" or "')}" in the hierarchy table's header`);
    }
  }

  const rows: UtilizationRow[] = [];
  const paths = new Set<string>();
  const stack: string[] = [];
  let base = -1;
  for (let i = at + 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.startsWith('+') && rows.length === 0) continue;
    if (!line.startsWith('|')) break;
    const where = `line ${i + 1}`;
    const cells = cellsOf(line);
    if (cells.length !== header.length) {
      throw new InputError(file, where, `expected ${header.length} cells as in the table's header, found ${cells.length}`);
    }
    const raw = cells[index.instance];
    const instance = raw.trim();
    if (instance === '') throw new InputError(file, where, 'column "Instance": expected an instance name, found an empty cell');
    const lead = raw.length - raw.trimStart().length;
    if (base < 0) base = lead;
    const depth = (lead - base) / 2;
    if (!Number.isInteger(depth) || depth < 0 || depth > stack.length) {
      throw new InputError(
        file,
        where,
        `instance "${instance}": expected an indentation of at most ${base + 2 * stack.length} spaces in steps of two (one level below the row above), found ${lead}`,
      );
    }
    stack.length = depth;
    const parent = depth === 0 ? null : stack.join('/');
    const path = parent === null ? instance : `${parent}/${instance}`;
    if (paths.has(path)) throw new InputError(file, where, `instance "${path}": the same instance path appears twice in the table`);
    paths.add(path);
    stack.push(instance);

    const count = (field: Field, empty: number | null): number | null => {
      const cell = index[field] < 0 ? '' : cells[index[field]].trim();
      if (cell === '' && field !== 'lut' && field !== 'ff') return empty;
      const m = COUNT.exec(cell);
      if (!m) {
        const column = lines[at].trim().split('|')[index[field] + 1].trim();
        throw new InputError(
          file,
          where,
          `instance "${path}", column "${column}": expected a non-negative integer, found "${cell.slice(0, 40)}"`,
        );
      }
      return Number(m[1]);
    };
    rows.push({
      instance,
      module: cells[index.module].trim(),
      depth,
      parent,
      path,
      lut: count('lut', null) as number,
      logicLut: count('logicLut', null),
      lutram: count('lutram', null),
      srl: count('srl', null),
      ff: count('ff', null) as number,
      ramb36: count('ramb36', 0) as number,
      ramb18: count('ramb18', 0) as number,
      dsp: count('dsp', 0) as number,
    });
  }
  if (rows.length === 0)
    throw new InputError(file, `line ${at + 1}`, "expected at least one instance row below the hierarchy table's header");
  const tool = info('Tool Version');
  return { design: info('Design'), device: info('Device'), tool: tool === null ? null : tool.replace(/\s*\(.*$/, ''), rows };
}
