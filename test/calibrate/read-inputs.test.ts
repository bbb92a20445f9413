/**
 * The files `calibrate` takes — sim records (--records), board timings (--board-csv), HLS
 * reports (--hls-report), the manifest of the project a report sits in — and the sweep's stamp:
 * a file that is missing, a folder or not what it should be is a one-line `InputError` naming
 * it (a CSV or JSON-lines error names the line), never a Node error.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrateFromFiles } from '../../src/calibrate/from-files.js';
import { knownDesign, readBoardCsv, readHlsReport, readSimRecords } from '../../src/calibrate/measurements.js';
import { stampedHardware } from '../../src/calibrate/sweep.js';
import { fixtureDesign } from '../backend/helpers.js';
import { inputErrorOf } from '../core/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-calibrate-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const chain = knownDesign(fixtureDesign('tiny-chain'));
const mixed = knownDesign(fixtureDesign('tiny-mixed'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
};

const COSIM = '| Verilog | Pass | 9000 | 9100 | 9200 | NA | NA | NA |\n';

describe('a missing file or a folder given as a file', () => {
  const folder = join(dir, 'a-folder');
  mkdirSync(folder, { recursive: true });
  const none = join(dir, 'none.csv');
  const readers: [string, (f: string) => unknown, string][] = [
    ['--records', (f) => readSimRecords(f), 'a JSON-lines file of sim records'],
    ['--board-csv', (f) => readBoardCsv(f, [chain]), 'a CSV file of board measurements (design,layer,cycles)'],
    ['--hls-report', (f) => readHlsReport(f, [chain]), 'a Vivado / Vitis HLS report (co-simulation .rpt or csynth.xml)'],
  ];
  for (const [flag, read, what] of readers) {
    it(`${flag}: exit 2 naming the file`, () => {
      const missing = inputErrorOf(() => read(none));
      expect(missing.message).toBe(`${none}: /: file not found (expected ${what})`);
      expect(missing.exitCode).toBe(2);
      expect(inputErrorOf(() => read(folder)).message).toBe(`${folder}: /: expected ${what}, found a directory`);
    });
  }

  it('calibrateFromFiles passes the error on before fitting or writing', () => {
    const out = join(dir, 'calibration.json');
    const e = inputErrorOf(() =>
      calibrateFromFiles({ records: [none], boardCsv: [], hlsReports: [], designs: [], out, toolVersion: 'test' }),
    );
    expect(e.file).toBe(none);
    expect(() => calibrateFromFiles({ records: [], boardCsv: [folder], hlsReports: [], designs: [], out, toolVersion: 'test' })).toThrow(
      /found a directory/,
    );
  });
});

describe('board CSV lines', () => {
  it('names the line of a bad row, counting comments and blank lines, as FILE: line N: …', () => {
    const csv = file('board.csv', `# board run\ndesign,layer,cycles\n${chain.hash},c1,5000\n\n${chain.hash},c1,lots\n`);
    expect(inputErrorOf(() => readBoardCsv(csv, [chain])).message).toBe(
      `${csv}: line 5: column "cycles": expected a positive number of cycles, found "lots"`,
    );
    const header = file('header.csv', '# nothing\n\ndesign,cycles\n');
    expect(inputErrorOf(() => readBoardCsv(header, [chain])).message).toBe(
      `${header}: line 3: expected a column "layer" in the header (design, layer, cycles)`,
    );
    expect(inputErrorOf(() => readBoardCsv(file('empty.csv', '\n# only a comment\n'), [chain])).pointer).toBe('');
  });
});

describe('sim records lines', () => {
  it('a line that is not JSON, or not a record, names the line', () => {
    expect(inputErrorOf(() => readSimRecords(file('r1.jsonl', '\n{"version": 1\n'))).pointer).toBe('line 2');
    expect(inputErrorOf(() => readSimRecords(file('r2.jsonl', '[]\n'))).pointer).toBe('line 1');
    expect(inputErrorOf(() => readSimRecords(file('r3.jsonl', 'null\n'))).message).toContain('sim-record');
  });
});

describe('the manifest of the project an HLS report sits in', () => {
  const report = (name: string, manifest: string) => {
    file(`${name}/manifest.json`, manifest);
    return file(`${name}/hls/trips_hls/solution1/sim/report/trips_top_cosim.rpt`, COSIM);
  };

  it('goes through the manifest schema: a corrupt one is bad input naming it', () => {
    const notJson = report('p-not-json', '{"designHash": ');
    expect(inputErrorOf(() => readHlsReport(notJson, [chain, mixed])).file).toBe(join(dir, 'p-not-json', 'manifest.json'));
    const partial = report('p-partial', JSON.stringify({ designHash: mixed.hash }));
    const e = inputErrorOf(() => readHlsReport(partial, [chain, mixed]));
    expect([e.file, e.pointer]).toEqual([join(dir, 'p-partial', 'manifest.json'), '']);
    expect(e.message).toContain('manifest: missing required property "format"');
  });
});

describe('the sweep stamp', () => {
  it('is the hardware hash it records, or undefined when missing or not one the sweep wrote (measure again)', () => {
    expect(stampedHardware(file('s1/sweep.json', JSON.stringify({ hardware: 'abc123', board: 'zcu102', name: 'sweep-1-0' })))).toBe(
      'abc123',
    );
    expect(stampedHardware(join(dir, 's0/sweep.json'))).toBeUndefined();
    expect(stampedHardware(file('s2/sweep.json', '{"hardware": '))).toBeUndefined();
    expect(stampedHardware(file('s3/sweep.json', 'null'))).toBeUndefined();
    expect(stampedHardware(file('s4/sweep.json', JSON.stringify({ hardware: 7 })))).toBeUndefined();
    mkdirSync(join(dir, 's5', 'sweep.json'), { recursive: true });
    expect(stampedHardware(join(dir, 's5', 'sweep.json'))).toBeUndefined();
  });
});
