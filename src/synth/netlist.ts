/**
 * What a synthesised netlist holds — stage: synth. In: Yosys's `stat -json` (cells by type of the
 * flattened top; the same format in 0.23 and 0.55) and its `ltp` report. Out: the resources in
 * the units Vivado's utilization report counts them — LUTs as logic, flip-flops, DSP48 slices,
 * RAMB18 / RAMB36 and their BRAM18 equivalents, LUTs as memory, carry chains, wide muxes — the
 * deepest combinational path in cells, and every cell type for reference.
 */

export interface MeasuredResources {
  /** LUT1…LUT6 and LUT6_2 cells: LUTs as logic. */
  readonly lut: number;
  /** Flip-flops (FD*) and latches (LDCE, LDPE). */
  readonly ff: number;
  /** DSP48E1 (7-series) / DSP48E2 (UltraScale+) slices. */
  readonly dsp48: number;
  readonly ramb18: number;
  readonly ramb36: number;
  /** ramb18 + 2 · ramb36: the unit the resource model and the boards count. */
  readonly bram18: number;
  /** LUTs as memory: the LUTs of every distributed-RAM cell (RAM32M: 4, RAM64X1D: 2, …) and one per shift register (SRL16E, SRLC32E). */
  readonly lutram: number;
  /** CARRY4 (7-series) / CARRY8 (UltraScale+) cells. */
  readonly carry: number;
  /** MUXF7 / MUXF8 / MUXF9 cells. */
  readonly muxf: number;
  /**
   * The longest path in cells between sequential elements and ports: LUTs, wide muxes, carry
   * cells, distributed RAMs and shift registers (asynchronous reads) and DSP48s whose P output
   * is not registered (PREG=0) each count one; flip-flops, block RAMs and registered DSP48s end it.
   */
  readonly logicDepth: number;
  /**
   * Of them, the carry cells (CARRY4 / CARRY8, by the name synth_xilinx's techmap gives them):
   * a carry cell passes its carry on in a fraction of a LUT's delay, so logicDepth − carryDepth
   * are the LUT-like levels a timing budget counts. Absent in records made before it was measured.
   */
  readonly carryDepth?: number;
  /** Where the deepest path starts and ends (the nets ltp names). */
  readonly deepestPath?: { readonly from: string; readonly to: string };
  /** Every cell type of the netlist and its count (Yosys's `$scopeinfo` markers left out). */
  readonly cells: Readonly<Record<string, number>>;
}

/** LUTs each distributed-RAM or shift-register primitive occupies (UG474 / UG574, CLB chapters). */
const LUTS_AS_MEMORY: Readonly<Record<string, number>> = {
  RAM32X1S: 1,
  RAM64X1S: 1,
  RAM128X1S: 2,
  RAM256X1S: 4,
  RAM512X1S: 8,
  RAM16X1D: 2,
  RAM32X1D: 2,
  RAM64X1D: 2,
  RAM128X1D: 4,
  RAM256X1D: 8,
  RAM32M: 4,
  RAM64M: 4,
  RAM32M16: 8,
  RAM64M8: 8,
  SRL16E: 1,
  SRLC16E: 1,
  SRLC32E: 1,
};

/** The cells by type of a `stat -json` report: the design's (the flattened top). */
export function cellCounts(statJson: string): Record<string, number> {
  let report: unknown;
  try {
    report = JSON.parse(statJson);
  } catch (error) {
    throw new Error(`yosys stat -json: not JSON (${(error as Error).message})`);
  }
  const r = report as { design?: { num_cells_by_type?: unknown }; modules?: Record<string, { num_cells_by_type?: unknown }> };
  const modules = Object.values(r.modules ?? {});
  const byType = r.design?.num_cells_by_type ?? (modules.length === 1 ? modules[0].num_cells_by_type : undefined);
  if (byType === undefined || typeof byType !== 'object' || byType === null)
    throw new Error('yosys stat -json: no num_cells_by_type for the design (was the design flattened?)');
  const cells: Record<string, number> = {};
  for (const [type, n] of Object.entries(byType)) {
    if (typeof n !== 'number') throw new Error(`yosys stat -json: cell count of ${type} is not a number`);
    if (type !== '$scopeinfo') cells[type] = n;
  }
  return cells;
}

/** N of `Longest topological path in <module> (length=N)`, the largest if several; 0 for an empty path. */
export function logicDepthOf(ltpReport: string): number {
  const lengths = [...ltpReport.matchAll(/Longest topological path in \S+ \(length=(-?\d+)\)/g)].map((m) => Number(m[1]));
  if (lengths.length === 0) throw new Error('yosys ltp: no "Longest topological path" line in its report');
  return Math.max(0, ...lengths);
}

export interface LogicPath {
  readonly length: number;
  readonly carry: number;
  readonly from: string;
  readonly to: string;
}

/** The longest path of an `ltp` report: its length, its carry cells and its end nets. */
export function logicPathOf(ltpReport: string): LogicPath {
  const length = logicDepthOf(ltpReport);
  // the steps of the longest path listed: `    N: <net> (via <cell>)`, after its header
  const blocks = ltpReport.split(/Longest topological path in \S+ \(length=/).slice(1);
  const block = blocks.find((b) => Number.parseInt(b, 10) === length) ?? '';
  const steps = [...block.matchAll(/^\s+\d+: (\S+(?: \[\d+\])?)(?: \(via (\S+)\))?$/gm)];
  const carry = steps.filter((m) => m[2] !== undefined && /carry[48]\b/i.test(m[2])).length;
  return { length, carry, from: steps[0]?.[1] ?? '', to: steps[steps.length - 1]?.[1] ?? '' };
}

/** The resources of a netlist with `cells` and the deepest path `logicDepth` (or the whole path). */
export function measureCells(cells: Readonly<Record<string, number>>, depth: number | LogicPath): MeasuredResources {
  const path = typeof depth === 'number' ? undefined : depth;
  const logicDepth = typeof depth === 'number' ? depth : depth.length;
  const sum = (match: (type: string) => boolean) => Object.entries(cells).reduce((s, [type, n]) => s + (match(type) ? n : 0), 0);
  const ramb18 = sum((t) => /^RAMB18/.test(t));
  const ramb36 = sum((t) => /^RAMB36/.test(t));
  return {
    lut: sum((t) => /^LUT[1-6](_2)?$/.test(t)),
    ff: sum((t) => /^FD/.test(t) || /^LD[CP]E$/.test(t)),
    dsp48: sum((t) => /^DSP48/.test(t)),
    ramb18,
    ramb36,
    bram18: ramb18 + 2 * ramb36,
    lutram: Object.entries(cells).reduce((s, [type, n]) => s + n * (LUTS_AS_MEMORY[type] ?? 0), 0),
    carry: sum((t) => /^CARRY[48]$/.test(t)),
    muxf: sum((t) => /^MUXF[789]$/.test(t)),
    logicDepth,
    ...(path ? { carryDepth: path.carry, deepestPath: { from: path.from, to: path.to } } : {}),
    cells: { ...cells },
  };
}

/** Every LUT, as logic and as memory: what Vivado's Total LUTs and a board's LUT budget count (the resource model's LUT). */
export function totalLuts(m: Pick<MeasuredResources, 'lut' | 'lutram'>): number {
  return m.lut + m.lutram;
}

/** The resources of a Yosys run's `stat -json` and `ltp` outputs. */
export function measureNetlist(statJson: string, ltpReport: string): MeasuredResources {
  return measureCells(cellCounts(statJson), logicPathOf(ltpReport));
}
