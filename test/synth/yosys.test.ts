/**
 * The Yosys runner and the netlist reader on a tiny module whose mapping is known: with the npm
 * package (always) and the system binary (when installed), one DSP48 for the multiply-accumulate
 * and one RAMB18 for the 36×512 RAM, for 7-series and UltraScale+; a failing script's first error
 * in the message; a missing system binary named with the way to install one.
 */
import { describe, expect, it } from 'vitest';
import {
  cellCounts,
  logicDepthOf,
  logicPathOf,
  measureCells,
  measureNetlist,
  runYosysScript,
  YosysError,
  YosysMissingError,
  yosysVersion,
} from '../../src/synth/index.js';
import { systemYosysMissing, TINY_SV, tinyJob } from './helpers.js';

const systemMissing = await systemYosysMissing();

async function synthTiny(backend: 'npm' | 'system', family: 'xc7' | 'xcup') {
  const job = tinyJob(family);
  const run = await runYosysScript(backend, job.script, job.inputs, [job.outputs.stat, job.outputs.ltp]);
  return { run, measured: measureNetlist(run.outputs[job.outputs.stat], run.outputs[job.outputs.ltp]) };
}

describe('yosys (npm: @yowasp/yosys)', () => {
  it('reports its version', async () => {
    expect(await yosysVersion('npm')).toMatch(/^Yosys 0\.55\b/);
  }, 60_000);

  it('maps the tiny module for 7-series: 1 DSP48E1, 1 RAMB18E1', async () => {
    const { run, measured } = await synthTiny('npm', 'xc7');
    expect(measured.cells).toMatchObject({ DSP48E1: 1, RAMB18E1: 1 });
    expect(measured).toMatchObject({ dsp48: 1, ramb18: 1, ramb36: 0, bram18: 1, lutram: 0 });
    expect(measured.logicDepth).toBeGreaterThanOrEqual(0);
    expect(run.log).toMatch(/Executing SYNTH_XILINX pass/);
  }, 120_000);

  it('maps the tiny module for UltraScale+: 1 DSP48E2, 1 RAMB18E2', async () => {
    const { measured } = await synthTiny('npm', 'xcup');
    expect(measured.cells).toMatchObject({ DSP48E2: 1, RAMB18E2: 1 });
    expect(measured).toMatchObject({ dsp48: 1, bram18: 1 });
  }, 120_000);

  it('fails with the first error of the log on one line', async () => {
    const job = tinyJob('xc7', TINY_SV.replace("acc <= acc + 32'(p);", 'acc <= ;'));
    const error = await runYosysScript('npm', job.script, job.inputs, ['stat.json']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(YosysError);
    expect((error as Error).message).toMatch(/^yosys \(npm\) failed with exit code 1: src\/tiny\.sv:\d+: ERROR: syntax error/);
    expect((error as Error).message).not.toContain('\n');
    expect((error as YosysError).log).toMatch(/ERROR/);
  }, 60_000);
});

describe(`yosys (system binary) ${systemMissing ?? ''}`, () => {
  it.skipIf(systemMissing !== undefined)(
    'reports its version and maps the tiny module: 1 DSP48E1, 1 RAMB18E1',
    async () => {
      expect(await yosysVersion('system')).toMatch(/^Yosys \d+\.\d+/);
      const { measured } = await synthTiny('system', 'xc7');
      expect(measured.cells).toMatchObject({ DSP48E1: 1, RAMB18E1: 1 });
      expect(measured).toMatchObject({ dsp48: 1, ramb18: 1, ramb36: 0, bram18: 1 });
    },
    120_000,
  );

  it('without a yosys on PATH: an error that says how to install one', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(yosysVersion('system')).rejects.toThrow(YosysMissingError);
      const job = tinyJob('xc7');
      await expect(runYosysScript('system', job.script, job.inputs, [])).rejects.toThrow(/apt-get install yosys/);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('the netlist reader', () => {
  it('counts cells in the units of a utilization report', () => {
    const m = measureCells(
      {
        LUT1: 2,
        LUT6: 5,
        LUT6_2: 1,
        FDRE: 10,
        FDCE: 2,
        LDCE: 1,
        DSP48E1: 3,
        RAMB18E1: 2,
        RAMB36E1: 3,
        RAM32M: 2,
        RAM64X1D: 1,
        SRLC32E: 4,
        CARRY4: 6,
        MUXF7: 2,
        MUXF8: 1,
        BUFG: 1,
      },
      7,
    );
    expect(m).toMatchObject({
      lut: 8,
      ff: 13,
      dsp48: 3,
      ramb18: 2,
      ramb36: 3,
      bram18: 8,
      lutram: 4 * 2 + 2 + 4,
      carry: 6,
      muxf: 3,
      logicDepth: 7,
    });
    expect(m.cells.BUFG).toBe(1);
  });

  it('reads stat -json of Yosys 0.23 and 0.55 (without the $scopeinfo markers) and the ltp line', () => {
    const v055 = {
      creator: 'Yosys 0.55',
      modules: { '\\top': { num_cells: 3, num_cells_by_type: { $scopeinfo: 2, DSP48E1: 1 } } },
      design: { num_cells: 3, num_cells_by_type: { $scopeinfo: 2, DSP48E1: 1 } },
    };
    expect(cellCounts(JSON.stringify(v055))).toEqual({ DSP48E1: 1 });
    const v023 = { modules: { '\\top': { num_cells_by_type: { CARRY4: 2 } } } };
    expect(cellCounts(JSON.stringify(v023))).toEqual({ CARRY4: 2 });
    expect(() => cellCounts('{}')).toThrow(/num_cells_by_type/);
    expect(logicDepthOf('\n4. Executing LTP pass\n\nLongest topological path in top (length=12):\n    0: \\a\n')).toBe(12);
    expect(logicDepthOf('Longest topological path in top (length=-1):')).toBe(0);
    expect(() => logicDepthOf('nothing')).toThrow(/Longest topological path/);
  });

  it("walks the ltp path: its carry cells (by synth_xilinx's carry4 / carry8 cell names) and its ends", () => {
    // Yosys 0.55 on a registered 16-bit add and compare (synth_xilinx -family xc7)
    const ltp = [
      '',
      '3. Executing LTP pass (find longest path).',
      '',
      'Longest topological path in t (length=5):',
      '    0: \\br [3]',
      '    1: $auto$alumacc.cc:495:replace_alu$1227.X [3] (via $abc$1940$auto$blifparse.cc:535:parse_blif$1954)',
      '    2: $auto$alumacc.cc:495:replace_alu$1227.CO [3] (via $auto$alumacc.cc:495:replace_alu$1227.genblk1.slice[0].genblk1.carry4)',
      '    3: $auto$alumacc.cc:495:replace_alu$1227.CO [7] (via $auto$alumacc.cc:495:replace_alu$1227.genblk1.slice[1].genblk1.carry4)',
      '    4: $auto$alumacc.cc:495:replace_alu$1227.CO [11] (via $auto$alumacc.cc:495:replace_alu$1227.genblk1.slice[2].genblk1.carry4)',
      '    5: $auto$alumacc.cc:495:replace_alu$1227.CO [12] (via $auto$alumacc.cc:495:replace_alu$1227.genblk1.slice[3].genblk1.carry8)',
      '',
    ].join('\n');
    expect(logicPathOf(ltp)).toEqual({ length: 5, carry: 4, from: '\\br [3]', to: '$auto$alumacc.cc:495:replace_alu$1227.CO [12]' });
    expect(measureNetlist(JSON.stringify({ design: { num_cells_by_type: { LUT2: 1 } } }), ltp)).toMatchObject({
      logicDepth: 5,
      carryDepth: 4,
      deepestPath: { from: '\\br [3]' },
    });
  });
});
