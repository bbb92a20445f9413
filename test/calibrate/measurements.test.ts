/**
 * Measurements users bring: a board CSV (design hash, layer, cycles) and Vivado / Vitis HLS
 * reports, each turned into the model's terms of the fixture design. Bad rows are one-line
 * errors naming the file, the line and the column.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { estimateDesign } from '../../src/accel/estimate.js';
import { defaultCoefficients, predictCycles } from '../../src/calibrate/fit.js';
import { knownDesign, readBoardCsv, readHlsReport, readSimRecords } from '../../src/calibrate/measurements.js';
import { InputError } from '../../src/core/diagnostics.js';
import { fixtureDesign } from '../backend/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-measurements-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const chain = knownDesign(fixtureDesign('tiny-chain'));
const mixed = knownDesign(fixtureDesign('tiny-mixed'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** A project manifest (schemas/manifest.schema.json) naming `designHash`, as generate writes one. */
const manifestFor = (designHash: string) => ({
  format: 'trips-hw-project',
  version: 1,
  name: 'tiny mixed',
  designHash,
  modelHash: '0'.repeat(64),
  generator: { tool: 'trips-hw', toolVersion: '0.0.0-test', gitHash: 'test', createdAt: '2026-01-01T00:00:00.000Z' },
  hlsTool: 'vitis-hls-2023.2',
  board: { name: 'zcu102', part: 'xczu9eg-ffvb1156-2-e' },
  clockMhz: 200,
  weights: { source: 'random', seed: 1 },
  golden: { images: 1, seed: 1 },
  predicted: { fps: 1000, cycles: 200000 },
  chunks: [],
  layers: [],
  files: [],
});

const VITIS_COSIM = `================================================================
== Vitis HLS Report for 'trips_top'
================================================================
+----------+----------+-----------------------------------------------+-----------------------------------------------+----------------------+
|          |          |             Latency(Clock Cycles)             |              Interval(Clock Cycles)           | Total Execution Time |
+   RTL    +  Status  +-----------------------------------------------+-----------------------------------------------+    (Clock Cycles)    +
|          |          |      min      |      avg      |      max      |      min      |      avg      |      max      |                      |
+----------+----------+-----------------------------------------------+-----------------------------------------------+----------------------+
|      VHDL|        NA|             NA|             NA|             NA|             NA|             NA|             NA|                    NA|
|   Verilog|      Pass|          10210|          10220|          10230|            NA|            NA|            NA|                 20440|
+----------+----------+-----------------------------------------------+-----------------------------------------------+----------------------+
`;
const VIVADO_COSIM = `|   RTL   | Status | min | avg | max | min | avg | max |
|   VHDL  |   NA   |   NA|   NA|   NA|   NA|   NA|   NA|
| Verilog |  Pass  | 9000 | 9100 | 9200 |   NA|   NA|   NA|
`;

describe('board measurements (CSV)', () => {
  it('reads rows by header, matches design hashes by prefix, and gives each layer its terms', () => {
    const csv = file(
      'board.csv',
      `# ZC706 run\nlayer,cycles,design,notes\nc1,5000,${chain.hash.slice(0, 10)},first\nfc,80,${chain.hash},\n*,7300,${chain.hash}\n`,
    );
    const ms = readBoardCsv(csv, [chain, mixed]);
    expect(ms.map((m) => [m.layer, m.cycles, m.source])).toEqual([
      ['c1', 5000, 'board'],
      ['fc', 80, 'board'],
      ['*', 7300, 'board'],
    ]);
    // the terms of the design's cost report, which weighted by the default coefficients are its predicted cycles
    const report = estimateDesign(fixtureDesign('tiny-chain'));
    const c1 = report.layers.find((l) => l.name === 'c1');
    expect(ms[0].terms).toEqual({ 'conv/ws': c1?.terms });
    expect(predictCycles(ms[0], defaultCoefficients())).toBeCloseTo(c1?.cycles ?? -1, 9);
    // the whole image: the sum of every layer's terms, over the keys of its layers
    expect(Object.keys(ms[2].terms).sort()).toEqual(['conv/ws', 'eltwise/ws']);
    expect(predictCycles(ms[2], defaultCoefficients())).toBeCloseTo(
      report.layers.reduce((s, l) => s + l.cycles, 0),
      6,
    );
  });

  it('names the line and column of a bad row', () => {
    const check = (text: string, pointer: string, expectation: string) => {
      const csv = file('bad.csv', text);
      expect(() => readBoardCsv(csv, [chain])).toThrow(new InputError(csv, pointer, expectation));
    };
    check(`design,layer,cycles\n${chain.hash},c1,-3\n`, 'line 2', 'column "cycles": expected a positive number of cycles, found "-3"');
    check(
      `design,layer,cycles\nabcdef12,c1,30\n`,
      'line 2',
      'column "design": expected the hash of a design given with --design, found "abcdef12"',
    );
    check(
      `# board\ndesign,layer,cycles\n\n${chain.hash},nope,30\n`,
      'line 4',
      'column "layer": expected a layer of design tiny chain or "*", found "nope"',
    );
    check(`design,cycles\n`, 'line 1', 'expected a column "layer" in the header (design, layer, cycles)');
  });
});

describe('HLS reports', () => {
  it('takes the average RTL co-simulation latency of Vitis HLS 2023.2 and Vivado HLS 2020.1 reports', () => {
    expect(readHlsReport(file('vitis_cosim.rpt', VITIS_COSIM), [chain])).toMatchObject({
      layer: '*',
      cycles: 10220,
      source: 'hls',
      design: chain.hash,
    });
    expect(readHlsReport(file('vivado_cosim.rpt', VIVADO_COSIM), [chain]).cycles).toBe(9100);
  });

  it('finds the design of a report inside a generated project through its manifest', () => {
    const project = join(dir, 'project');
    mkdirSync(join(project, 'hls', 'trips_hls', 'solution1', 'sim', 'report'), { recursive: true });
    writeFileSync(join(project, 'manifest.json'), JSON.stringify(manifestFor(mixed.hash)));
    const report = join(project, 'hls', 'trips_hls', 'solution1', 'sim', 'report', 'trips_top_cosim.rpt');
    writeFileSync(report, VITIS_COSIM);
    expect(readHlsReport(report, [chain, mixed]).design).toBe(mixed.hash);
  });

  it('uses a bounded synthesis latency and refuses an undefined one', () => {
    const xml = (avg: string) =>
      `<profile><PerformanceEstimates><SummaryOfOverallLatency><Best-caseLatency>1</Best-caseLatency><Average-caseLatency>${avg}</Average-caseLatency><Worst-caseLatency>9</Worst-caseLatency></SummaryOfOverallLatency></PerformanceEstimates></profile>`;
    expect(readHlsReport(file('csynth.xml', xml('4321')), [chain]).cycles).toBe(4321);
    expect(() => readHlsReport(file('csynth-undef.xml', xml('undef')), [chain])).toThrow(/use the co-simulation report/);
    expect(() => readHlsReport(file('empty.rpt', 'nothing here'), [chain])).toThrow(/passing Verilog or VHDL row/);
  });
});

describe('sim records', () => {
  const RECORD = {
    version: 1,
    designHash: 'e4f76f1de51fef1f913c6c107d3a03c128e02fe65b68eec10adc757393fb55dd',
    modelHash: 'a4b65efa96f19eb98bb672b84e2fe98e965ac3c26cc950728ccb7c856f7fff0b',
    layer: 'stem',
    index: 0,
    op: 'conv',
    chunk: 'conv_small_b8',
    image: 0,
    arch: {
      parallel: 'mp',
      loopOrder: 'os',
      tileM: 8,
      tileN: 4,
      tileR: 8,
      tileC: 4,
      peM: 8,
      peN: 4,
      portBits: 256,
      portBitsEffective: 209.92,
    },
    prob: { inH: 8, inW: 8, inC: 3, outH: 8, outW: 8, outC: 8, kernel: 3, stride: 1, pad: 1, groups: 1 },
    prec: { inBits: 8, weightBits: 8, outBits: 6 },
    pred: {
      cycles: 535,
      key: 'conv/os',
      terms: { overlap: 432, prologue: 32, weightLoad: 0, output: 16, params: 3, steps: 2, tiles: 2, fixed: 1 },
    },
    meas: { cycles: 537, startCycle: 209 },
    bitExact: true,
    mismatches: 0,
    words: 512,
    simulator: { name: 'verilator', version: 'Verilator 5.006 2023-01-22 rev (Debian 5.006-3)', engine: 'b1a2fe7f8a2c33fe5d16596c' },
  };

  it('takes each layer’s terms as its prediction summed them and skips layers that were not bit-exact or did not finish', () => {
    const lines = [
      RECORD,
      { ...RECORD, layer: 'x', bitExact: false, mismatches: 3 },
      { ...RECORD, layer: 'y', meas: { cycles: null, startCycle: null }, bitExact: false },
    ];
    const { measurements, skipped } = readSimRecords(file('records.jsonl', `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`));
    expect(skipped).toBe(2);
    expect(measurements).toHaveLength(1);
    expect(measurements[0]).toMatchObject({
      layer: 'stem',
      cycles: 537,
      source: 'sim',
      design: RECORD.designHash,
      by: `verilator ${RECORD.simulator.version}`,
    });
    // the record's own terms, which the coefficients it was predicted with (the defaults of its
    // day: 8 per tile, 32 fixed) weigh into its predicted cycles:
    // 432 + 32 + 0 + 16 + 3 + 2·2 + 8·2 + 32·1 = 535 (the record predates 96-bit requantisation
    // entries, params ⌈8·64/209.92⌉ = 3; today's model, one table entry a cycle in each of the
    // 64- and 32-bit tables, would say 8 + 8 = 16 — a record is not re-predicted)
    expect(measurements[0].terms).toEqual({ 'conv/os': RECORD.pred.terms });
    const then = defaultCoefficients();
    for (const c of Object.values(then)) Object.assign(c, { tiles: 8, fixed: 32 });
    expect(predictCycles(measurements[0], then)).toBe(RECORD.pred.cycles);
    // today's defaults (12 per tile: 8 of setup + the output path's 4; 62 fixed) weigh the same
    // terms: 432 + 32 + 0 + 16 + 3 + 2·2 + 15·2 + 62·1 = 579
    expect(predictCycles(measurements[0], defaultCoefficients())).toBe(579);
  });

  it('a record whose coefficient set is not its op’s and loop order’s is bad input', () => {
    const bad = file(
      'wrong-key.jsonl',
      `${JSON.stringify(RECORD)}\n${JSON.stringify({ ...RECORD, pred: { ...RECORD.pred, key: 'dw/os' } })}\n`,
    );
    expect(() => readSimRecords(bad)).toThrow(
      new InputError(bad, 'line 2', '/pred/key: expected "conv/os" (a conv layer, loop order os), found "dw/os"'),
    );
  });

  it('a line that is not a sim record is bad input naming the line', () => {
    const bad = file('bad-records.jsonl', `${JSON.stringify(RECORD)}\n{"version":1}\n`);
    expect(() => readSimRecords(bad)).toThrow(/bad-records\.jsonl: line 2: sim-record: missing required property "designHash"/);
  });
});
