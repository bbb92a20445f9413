/**
 * Vivado's `report_utilization -hierarchical`: a 7-series and an UltraScale+ report become one
 * row per instance with its full path, whatever the columns' order or extra columns; a
 * malformed table is a one-line error naming the file and the instance or column.
 */
import { describe, expect, it } from 'vitest';
import { parseUtilizationReport } from '../../src/calibrate/vivado-utilization.js';
import { InputError } from '../../src/core/diagnostics.js';

const HEADER_7 = `Copyright 1986-2022 Xilinx, Inc. All Rights Reserved. Copyright 2022-2023 Advanced Micro Devices, Inc. All Rights Reserved.
---------------------------------------------------------------------------------------------------------------------------------------------
| Tool Version : Vivado v.2023.2 (lin64) Build 4029153 Fri Oct 13 20:13:54 MDT 2023
| Date         : Tue Mar  4 10:12:31 2025
| Host         : build-01 running 64-bit Ubuntu 22.04.3 LTS
| Command      : report_utilization -hierarchical -file chunk0_top_utilization.rpt
| Design       : chunk0_top
| Device       : xc7z045ffg900-2
| Speed File   : -2
| Design State : Synthesized
---------------------------------------------------------------------------------------------------------------------------------------------

Utilization Design Information

Table of Contents
-----------------
1. Utilization by Hierarchy

1. Utilization by Hierarchy
---------------------------

`;

const BORDER_7 =
  '+------------------+--------------------------------+------------+------------+---------+------+------+--------+--------+--------------+';
const TABLE_7 = [
  BORDER_7,
  '|     Instance     |             Module             | Total LUTs | Logic LUTs | LUTRAMs | SRLs |  FFs | RAMB36 | RAMB18 | DSP48 Blocks |',
  BORDER_7,
  '| chunk0_top       |                          (top) |      17752 |      17000 |     752 |    0 | 6194 |      2 |      1 |           14 |',
  '|   (chunk0_top)   |                          (top) |         52 |         52 |       0 |    0 |   40 |      0 |      0 |            0 |',
  '|   u_engine       |                    trips_chunk |      17700 |      16948 |     752 |    0 | 6154 |      2 |      1 |           14 |',
  '|     u_compute    |  trips_compute__parameterized0 |      12000 |      11500 |     500 |    0 | 4000 |      0 |      1 |           14 |',
  '|       u_mac      |                      trips_mac |       3000 |       3000 |       0 |    0 | 1200 |      0 |      0 |           12 |',
  '|     u_buffer     |                   trips_buffer |       5700 |       5448 |     252 |    0 | 2154 |      2 |      0 |            0 |',
  BORDER_7,
];
const SECTION_2 = `

2. Utilization by Module
------------------------

+----------+------------+------+
| Instance | Total LUTs |  FFs |
+----------+------------+------+
| ghost    |         99 |   99 |
+----------+------------+------+

`;
const REPORT_7 = `${HEADER_7}${TABLE_7.join('\n')}${SECTION_2}`;

/** UltraScale+: `DSP Blocks`, `URAM` and columns this reader does not know, in another order. */
const BORDER_U =
  '+-------------+---------------+------------+------+--------+--------+------+--------+----------+------------+------------+---------+------+';
const REPORT_U = [
  '| Tool Version : Vivado v.2022.1 (lin64) Build 3526262 Mon Apr 18 15:47:01 MDT 2022',
  '| Design       : zcu_top',
  '| Device       : xczu9eg-ffvb1156-2-e',
  '| Design State : Routed',
  '',
  '1. Utilization by Hierarchy',
  '---------------------------',
  '',
  BORDER_U,
  '|   Instance  |     Module    | Total LUTs |  FFs | RAMB36 | RAMB18 | URAM | CARRY8 | F7 Muxes | DSP Blocks | Logic LUTs | LUTRAMs | SRLs |',
  BORDER_U,
  '| zcu_top     |         (top) |        900 |  800 |      4 |      0 |    2 |     10 |        3 |         20 |        850 |      40 |   10 |',
  '|   u_a       |  pe__parameterized3 |        500 |  400 |      4 |      0 |    2 |      5 |        2 |         20 |        480 |      20 |    0 |',
  '|     u_a_sub |        leaf |        100 |  100 |        |        |      |      1 |        0 |            |        100 |         |      |',
  '|   u_b       |            pe |        400 |  400 |      0 |      0 |    0 |      5 |        1 |          0 |        370 |      20 |   10 |',
  BORDER_U,
  '',
  '2. Utilization by Module',
  '* Note: nothing here is a row of the hierarchy',
].join('\n');

/** The InputError `parse` throws. */
const errorOf = (text: string, file = 'chunk0_top_utilization.rpt'): InputError => {
  try {
    parseUtilizationReport(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
};
/** REPORT_7 with one table line (index into TABLE_7) replaced. */
const with7 = (i: number, line: string) => `${HEADER_7}${TABLE_7.map((l, j) => (j === i ? line : l)).join('\n')}${SECTION_2}`;

describe('parseUtilizationReport', () => {
  it('reads a 7-series report: header, rows, full paths, depths and parents', () => {
    const report = parseUtilizationReport(REPORT_7, 'chunk0_top_utilization.rpt');
    expect(report).toMatchObject({ design: 'chunk0_top', device: 'xc7z045ffg900-2', tool: 'Vivado v.2023.2' });
    expect(report.rows.map((r) => [r.path, r.depth, r.parent, r.module])).toEqual([
      ['chunk0_top', 0, null, '(top)'],
      ['chunk0_top/(chunk0_top)', 1, 'chunk0_top', '(top)'],
      ['chunk0_top/u_engine', 1, 'chunk0_top', 'trips_chunk'],
      ['chunk0_top/u_engine/u_compute', 2, 'chunk0_top/u_engine', 'trips_compute__parameterized0'],
      ['chunk0_top/u_engine/u_compute/u_mac', 3, 'chunk0_top/u_engine/u_compute', 'trips_mac'],
      ['chunk0_top/u_engine/u_buffer', 2, 'chunk0_top/u_engine', 'trips_buffer'],
    ]);
    expect(report.rows[0]).toEqual({
      instance: 'chunk0_top',
      module: '(top)',
      depth: 0,
      parent: null,
      path: 'chunk0_top',
      lut: 17752,
      logicLut: 17000,
      lutram: 752,
      srl: 0,
      ff: 6194,
      ramb36: 2,
      ramb18: 1,
      dsp: 14,
    });
    expect(report.rows.map((r) => r.instance)).not.toContain('ghost');
  });

  it('reads an UltraScale+ report by column name, ignoring unknown columns; empty cells are null or 0', () => {
    const report = parseUtilizationReport(REPORT_U, 'zcu_top_utilization.rpt');
    expect(report).toMatchObject({ design: 'zcu_top', device: 'xczu9eg-ffvb1156-2-e', tool: 'Vivado v.2022.1' });
    expect(report.rows.map((r) => r.path)).toEqual(['zcu_top', 'zcu_top/u_a', 'zcu_top/u_a/u_a_sub', 'zcu_top/u_b']);
    expect(report.rows[1]).toMatchObject({
      module: 'pe__parameterized3',
      lut: 500,
      logicLut: 480,
      lutram: 20,
      srl: 0,
      ff: 400,
      ramb36: 4,
      dsp: 20,
    });
    expect(report.rows[2]).toMatchObject({ lut: 100, logicLut: 100, lutram: null, srl: null, ff: 100, ramb36: 0, ramb18: 0, dsp: 0 });
  });

  it('reads CRLF line endings', () => {
    const crlf = parseUtilizationReport(REPORT_7.replace(/\n/g, '\r\n'), 'a.rpt');
    expect(crlf).toEqual(parseUtilizationReport(REPORT_7, 'a.rpt'));
    expect(crlf.device).toBe('xc7z045ffg900-2');
  });

  it('takes absent optional columns as null (LUT kinds) or 0 (block RAMs), and a bare table without a header block', () => {
    const table = [
      '+-------+-------+------------+-----+------------+',
      '| Instance | Module | Total LUTs | FFs | DSP Blocks |',
      '+-------+-------+------------+-----+------------+',
      '| top | (top) | 10 | 20 | 1 |',
      '|   u | leaf | 5 | 6 | 1 |',
      '|   v | leaf | 5 | 6 | 0 |',
      '+-------+-------+------------+-----+------------+',
    ].join('\n');
    const report = parseUtilizationReport(table, 'bare.rpt');
    expect(report).toMatchObject({ design: null, device: null, tool: null });
    expect(report.rows[1]).toEqual({
      instance: 'u',
      module: 'leaf',
      depth: 1,
      parent: 'top',
      path: 'top/u',
      lut: 5,
      logicLut: null,
      lutram: null,
      srl: null,
      ff: 6,
      ramb36: 0,
      ramb18: 0,
      dsp: 1,
    });
  });

  it('rejects a file without a hierarchy table', () => {
    const e = errorOf(`${HEADER_7}+------+------+\n| Site Type | Used |\n| Slice LUTs | 12 |\n`, 'flat_utilization.rpt');
    expect(e.message).toMatch(/^flat_utilization\.rpt: /);
    expect(e.message).toContain('not a report_utilization -hierarchical report');
    expect(errorOf('').message).toContain('Utilization by Hierarchy');
  });

  it.each([
    ['Total LUTs', 'Total LUTs', 'Slice LUTs'],
    ['FFs', ' FFs |', ' Regs |'],
    ['DSP48 Blocks" or "DSP Blocks', 'DSP48 Blocks', 'DSPs        '],
    ['Module', '  Module ', '  Cell   '],
  ])('rejects a header without the column %s', (named, from, to) => {
    const e = errorOf(with7(1, TABLE_7[1].replace(from, to)));
    expect(e.message).toMatch(/^chunk0_top_utilization\.rpt: line 23: /);
    expect(e.message).toContain(`column "${named}"`);
  });

  it.each([
    ['a word', 'abc'],
    ['a negative number', '-3'],
    ['a fraction', '1.5'],
  ])('rejects a count that is %s, naming the instance and the column', (_, value) => {
    const row = TABLE_7[7].replace('| 1200 |', `| ${value.padStart(4)} |`);
    const e = errorOf(with7(7, row));
    expect(e.message).toMatch(/^chunk0_top_utilization\.rpt: line 29: /);
    expect(e.message).toContain('instance "chunk0_top/u_engine/u_compute/u_mac", column "FFs"');
    expect(e.message).toContain(`found "${value}"`);
  });

  it('reads the counts of -hierarchical_percentages, with their share', () => {
    const row = TABLE_7[3].replace('|      17752 |', '| 17752(8.12%) |').replace('| 6194 |', '| 6194(1.42%) |');
    const report = parseUtilizationReport(with7(3, row), 'a.rpt');
    expect(report.rows[0]).toMatchObject({ lut: 17752, ff: 6194, dsp: 14 });
  });

  it('rejects an empty Total LUTs cell but not an empty optional one', () => {
    const e = errorOf(with7(3, TABLE_7[3].replace('|      17752 |', '|            |')));
    expect(e.message).toContain('instance "chunk0_top", column "Total LUTs"');
    const ok = parseUtilizationReport(with7(3, TABLE_7[3].replace('|     752 |', '|         |')), 'a.rpt');
    expect(ok.rows[0].lutram).toBeNull();
  });

  it('rejects an indentation that skips a level, or is not in steps of two', () => {
    const skip = errorOf(with7(6, TABLE_7[6].replace('|     u_compute    |', '|       u_compute  |')));
    expect(skip.message).toMatch(/^chunk0_top_utilization\.rpt: line 28: instance "u_compute": expected an indentation/);
    const odd = errorOf(with7(6, TABLE_7[6].replace('|     u_compute    |', '|    u_compute     |')));
    expect(odd.message).toContain('instance "u_compute"');
    expect(odd.message).toContain('found 4');
  });

  it('rejects an instance path that appears twice', () => {
    const e = errorOf(with7(8, TABLE_7[8].replace('u_buffer    ', 'u_compute   ')));
    expect(e.message).toMatch(/^chunk0_top_utilization\.rpt: line 30: /);
    expect(e.message).toContain('instance "chunk0_top/u_engine/u_compute"');
    expect(e.message).toContain('twice');
  });

  it('rejects a row whose cells do not match the header, and a table without rows', () => {
    expect(errorOf(with7(4, '|   (chunk0_top)   | (top) | 52 |')).message).toMatch(/line 26: expected 10 cells .* found 3/);
    expect(errorOf(`${HEADER_7}${TABLE_7.slice(0, 3).join('\n')}\n${BORDER_7}\n`).message).toContain('at least one instance row');
  });
});
