/**
 * Measurements users bring: a board CSV (design hash, layer, cycles) and Vivado / Vitis HLS
 * reports, each turned into the model's terms of the fixture design. Bad rows are one-line
 * errors naming the file, the line and the column.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { layerTerms } from '../../src/accel/estimate.js';
import { knownDesign, readBoardCsv, readHlsReport } from '../../src/calibrate/measurements.js';
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
    const csv = file('board.csv', `# ZC706 run\nlayer,cycles,design,notes\nc1,5000,${chain.hash.slice(0, 10)},first\nfc,80,${chain.hash},\n*,7300,${chain.hash}\n`);
    const ms = readBoardCsv(csv, [chain, mixed]);
    expect(ms.map((m) => [m.layer, m.cycles, m.source])).toEqual([
      ['c1', 5000, 'board'],
      ['fc', 80, 'board'],
      ['*', 7300, 'board'],
    ]);
    const design = fixtureDesign('tiny-chain');
    const c1 = design.network.layers[0];
    expect(ms[0].terms).toEqual({ 'conv/ws': layerTerms(c1, design.accelerator.chunks[0].params, design.accelerator.chunks[0].params.portBits).terms });
    // the whole image: the sum of every layer's terms, over the keys of its layers
    expect(Object.keys(ms[2].terms).sort()).toEqual(['conv/ws', 'eltwise/ws']);
  });

  it('names the line and column of a bad row', () => {
    const check = (text: string, pointer: string) => {
      const csv = file('bad.csv', text);
      expect(() => readBoardCsv(csv, [chain])).toThrow(InputError);
      try {
        readBoardCsv(csv, [chain]);
      } catch (error) {
        expect((error as InputError).pointer).toBe(pointer);
      }
    };
    check(`design,layer,cycles\n${chain.hash},c1,-3\n`, '/line/2/cycles');
    check(`design,layer,cycles\nabcdef12,c1,30\n`, '/line/2/design');
    check(`design,layer,cycles\n${chain.hash},nope,30\n`, '/line/2/layer');
    check(`design,cycles\n`, '/line/1');
  });
});

describe('HLS reports', () => {
  it('takes the average RTL co-simulation latency of Vitis HLS 2023.2 and Vivado HLS 2020.1 reports', () => {
    expect(readHlsReport(file('vitis_cosim.rpt', VITIS_COSIM), [chain])).toMatchObject({ layer: '*', cycles: 10220, source: 'hls', design: chain.hash });
    expect(readHlsReport(file('vivado_cosim.rpt', VIVADO_COSIM), [chain]).cycles).toBe(9100);
  });

  it('finds the design of a report inside a generated project through its manifest', () => {
    const project = join(dir, 'project');
    mkdirSync(join(project, 'hls', 'trips_hls', 'solution1', 'sim', 'report'), { recursive: true });
    writeFileSync(join(project, 'manifest.json'), JSON.stringify({ designHash: mixed.hash }));
    const report = join(project, 'hls', 'trips_hls', 'solution1', 'sim', 'report', 'trips_top_cosim.rpt');
    writeFileSync(report, VITIS_COSIM);
    expect(readHlsReport(report, [chain, mixed]).design).toBe(mixed.hash);
  });

  it('uses a bounded synthesis latency and refuses an undefined one', () => {
    const xml = (avg: string) => `<profile><PerformanceEstimates><SummaryOfOverallLatency><Best-caseLatency>1</Best-caseLatency><Average-caseLatency>${avg}</Average-caseLatency><Worst-caseLatency>9</Worst-caseLatency></SummaryOfOverallLatency></PerformanceEstimates></profile>`;
    expect(readHlsReport(file('csynth.xml', xml('4321')), [chain]).cycles).toBe(4321);
    expect(() => readHlsReport(file('csynth-undef.xml', xml('undef')), [chain])).toThrow(/use the co-simulation report/);
    expect(() => readHlsReport(file('empty.rpt', 'nothing here'), [chain])).toThrow(/passing Verilog or VHDL row/);
  });
});
