/**
 * The AXI4 masters (hw/rtl/trips_axi_{burst,rd,wr}.sv) against the DRAM model of
 * hw/sim/axi_dram.h, through the copy top hw/sim/trips_axi_copy.sv and its driver: random copy
 * commands (lengths across many bursts and 4 KB boundaries) with latency, shared bandwidth and
 * random stalls on every channel — every byte copied, no protocol violation, nothing hangs — and
 * the outstanding bursts doing what they are for: with 4 in flight the port stays busy through a
 * 60-cycle latency, with 1 it idles. The AXI4-Lite control registers (trips_axil_ctrl.sv) as a host
 * drives them (hw/sim/axil_ctrl.cpp). Three copy engines sharing one port through trips_axi_arb
 * (hw/sim/trips_axi_share.sv). Lint-clean under -Wall, and Yosys maps all to logic alone.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { axiBursts, axiReadCycles, axiThroughput, axiWriteCycles } from '../../src/accel/axi.js';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { cellCounts, misreadingOf, runYosysScript } from '../../src/synth/index.js';
import { verilatorMissing } from '../sim/helpers.js';

const RTL = join(PACKAGE_ROOT, 'hw', 'rtl');
const SIM = join(PACKAGE_ROOT, 'hw', 'sim');
const SOURCES = ['trips_fifo.sv', 'trips_axi_burst.sv', 'trips_axi_rd.sv', 'trips_axi_wr.sv'].map((f) => join(RTL, f));
const TOP = join(SIM, 'trips_axi_copy.sv');
const CTRL = join(RTL, 'trips_axil_ctrl.sv');
// the arbiter and its grants
const ARB = [join(RTL, 'trips_axi_grant.sv'), join(RTL, 'trips_axi_arb.sv')];
const missing = await verilatorMissing();
const dir = mkdtempSync(join(tmpdir(), 'trips-hw-axi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface CopyRun {
  cycles: number;
  beats: number;
  commands: number;
  lasts: number;
  readBeats: number;
  writeBeats: number;
  beatsPerCycle: number;
  mismatches: number;
  err: number;
  hang: boolean;
  violations: string[];
}

const builds = new Map<string, Promise<string>>();
/** The copy top built for `dw` data bits and `maxOut` bursts in flight (once per pair). */
function build(dw: number, maxOut: number): Promise<string> {
  const key = `${dw}-${maxOut}`;
  let b = builds.get(key);
  if (!b) {
    const mdir = join(dir, key);
    b = execa('verilator', [
      '--cc',
      '--exe',
      '--build',
      '-Wall',
      '--top-module',
      'trips_axi_copy',
      `-GDW=${dw}`,
      `-GMAX_OUT=${maxOut}`,
      '-CFLAGS',
      `-I${SIM} -O1`,
      '-Mdir',
      mdir,
      ...SOURCES,
      TOP,
      join(SIM, 'axi_copy.cpp'),
    ]).then(() => join(mdir, 'Vtrips_axi_copy'));
    builds.set(key, b);
  }
  return b;
}

async function copy(dw: number, maxOut: number, args: Record<string, number>): Promise<CopyRun> {
  const exe = await build(dw, maxOut);
  const { stdout } = await execa(exe, [`bytes=${dw / 8}`, ...Object.entries(args).map(([k, v]) => `${k}=${v}`)]);
  return JSON.parse(stdout) as CopyRun;
}

function expectExact(r: CopyRun): void {
  expect(r.violations).toEqual([]);
  expect(r.hang).toBe(false);
  expect(r.mismatches).toBe(0);
  expect(r.err).toBe(0);
  expect(r.lasts).toBe(r.commands);
  expect(r.readBeats).toBe(r.beats);
  expect(r.writeBeats).toBe(r.beats);
}

describe.skipIf(missing !== undefined)(`AXI4 masters under Verilator ${missing ?? ''}`, () => {
  it('lint clean under -Wall', async () => {
    const r = await execa('verilator', ['--lint-only', '-Wall', '--top-module', 'trips_axi_copy', ...SOURCES, TOP], {
      reject: false,
      all: true,
    });
    expect(r.all ?? '').toBe('');
    expect(r.exitCode).toBe(0);
  }, 60_000);

  it.each([
    [64, 4, { latency: 40, bpc: 8, seed: 1 }],
    [64, 4, { latency: 60, bpc: 16, stall: 0.3, seed: 2 }],
    [64, 1, { latency: 0, wlatency: 0, bpc: 16, seed: 3 }],
    [128, 2, { latency: 1, wlatency: 1, bpc: 4, stall: 0.5, seed: 4, maxReads: 1 }],
    [512, 4, { latency: 50, bpc: 64, stall: 0.1, seed: 5, maxBeats: 200 }],
  ])(
    '%i-bit port, %i bursts in flight, %o: every byte copied, no protocol violation',
    async (dw, maxOut, args) => {
      expectExact(await copy(dw, maxOut, { commands: 30, ...args }));
    },
    180_000,
  );

  it('bursts in flight hide the latency: 4 keep the port busy through 60 cycles, 1 leaves it half idle', async () => {
    // 64-beat commands, twice a beat of bandwidth per cycle (reads and writes each get one)
    const args = { latency: 60, wlatency: 30, bpc: 16, fixed: 64, commands: 60, seed: 6 };
    const four = await copy(64, 4, args);
    const one = await copy(64, 1, args);
    expectExact(four);
    expectExact(one);
    expect(four.beatsPerCycle).toBeGreaterThan(0.95);
    // one burst at a time: 64 beats per 64 + 60 cycles at best
    expect(one.beatsPerCycle).toBeLessThan(64 / 124 + 0.02);
    expect(one.beatsPerCycle).toBeGreaterThan(0.4);
  }, 180_000);
});

describe.skipIf(missing !== undefined)(`masters sharing one port through trips_axi_arb ${missing ?? ''}`, () => {
  let exe: Promise<string> | undefined;
  /** Three copy engines (each a read and a write master, reads queued in 256 words they reserve) on one port. */
  async function share(args: Record<string, number>) {
    if (!exe) {
      const mdir = join(dir, 'share');
      exe = execa('verilator', [
        '--cc',
        '--exe',
        '--build',
        '-Wall',
        '--top-module',
        'trips_axi_share',
        '-GK=3',
        '-CFLAGS',
        `-I${SIM} -O1 -std=c++17`,
        '-Mdir',
        mdir,
        ...SOURCES,
        ...ARB,
        TOP,
        join(SIM, 'trips_axi_share.sv'),
        join(SIM, 'axi_share.cpp'),
      ]).then(() => join(mdir, 'Vtrips_axi_share'));
    }
    const { stdout } = await execa(await exe, ['K=3', ...Object.entries(args).map(([k, v]) => `${k}=${v}`)]);
    return JSON.parse(stdout) as CopyRun & { finish: number[] };
  }

  it.each([
    [{ latency: 40, bpc: 16, seed: 1 }],
    [{ latency: 60, bpc: 16, stall: 0.3, seed: 2 }],
    [{ latency: 1, wlatency: 1, bpc: 8, stall: 0.5, seed: 3 }],
  ])(
    '%o: every engine copies every byte, no protocol violation',
    async (args) => {
      const r = await share({ commands: 20, ...args });
      expectExact(r);
    },
    180_000,
  );

  it('the port is shared fairly and used to its bandwidth', async () => {
    // half a beat per cycle for reads and writes together: the DRAM binds
    const r = await share({ commands: 20, latency: 40, bpc: 4, seed: 4 });
    expectExact(r);
    expect(((r.readBeats + r.writeBeats) * 8) / r.cycles).toBeGreaterThan(0.95 * 4);
    // round-robin: the three engines, with alike work, end within 15 % of each other
    expect(Math.max(...r.finish) / Math.min(...r.finish)).toBeLessThan(1.15);
  }, 180_000);
});

describe.skipIf(missing !== undefined)(
  `the read and write models (src/accel/axi.ts) against the masters under Verilator ${missing ?? ''}`,
  () => {
    it('cycles of a stream of bursts within 3 % over latency 1–100, bursts of 4–256 beats, 1 or 4 in flight, half or full rate', async () => {
      const rows: string[] = [];
      let worst = 0;
      for (const inFlight of [1, 4])
        for (const latency of [1, 10, 40, 100])
          for (const beats of [4, 16, 64, 256])
            for (const bpc of [4, 8]) {
              const commands = 32;
              const r = await copy(64, inFlight, { readOnly: 1, aligned: 1, fixed: beats, commands, latency, bpc, seed: 7 });
              expect(r.violations).toEqual([]);
              expect(r.readBeats).toBe(commands * beats);
              // 4 KB-aligned sources: one burst per command (256 beats of 8 bytes = 2 KB)
              expect(axiBursts(0, beats, 8)).toBe(1);
              const model = axiReadCycles({ bursts: commands, beatsPerBurst: beats, latency, inFlight, rate: bpc / 8 });
              const err = Math.abs(model - r.cycles) / r.cycles;
              worst = Math.max(worst, err);
              rows.push(`N ${inFlight} L ${latency} B ${beats} rate ${bpc / 8}: ${r.cycles} measured, ${Math.round(model)} model`);
            }
      expect(worst, rows.join('\n')).toBeLessThan(0.03);
    }, 300_000);

    it('and the write model within 3 % likewise (the response latency, a count as the data)', async () => {
      const rows: string[] = [];
      let worst = 0;
      for (const inFlight of [1, 4])
        for (const latency of [1, 20, 60])
          for (const beats of [4, 16, 64, 256])
            for (const bpc of [4, 8]) {
              const commands = 32;
              const r = await copy(64, inFlight, { writeOnly: 1, aligned: 1, fixed: beats, commands, wlatency: latency, bpc, seed: 8 });
              expect(r.violations).toEqual([]);
              expect(r.mismatches).toBe(0);
              expect(r.writeBeats).toBe(commands * beats);
              const model = axiWriteCycles({ bursts: commands, beatsPerBurst: beats, latency, inFlight, rate: bpc / 8 });
              const err = Math.abs(model - r.cycles) / r.cycles;
              worst = Math.max(worst, err);
              rows.push(`N ${inFlight} Lw ${latency} B ${beats} rate ${bpc / 8}: ${r.cycles} measured, ${Math.round(model)} model`);
            }
      expect(worst, rows.join('\n')).toBeLessThan(0.03);
    }, 300_000);

    it('bursts: at most 256 beats, none across 4 KB', () => {
      expect(axiBursts(0, 256, 8)).toBe(1);
      expect(axiBursts(0, 257, 8)).toBe(2);
      // 4088: one 8-byte beat before the boundary
      expect(axiBursts(4088, 2, 8)).toBe(2);
      expect(axiBursts(0, 64, 64)).toBe(1);
      expect(axiBursts(64, 64, 64)).toBe(2);
      expect(axiBursts(0, 0, 8)).toBe(0);
      expect(axiThroughput({ bursts: 1, beatsPerBurst: 64, latency: 60, inFlight: 1, rate: 1 })).toBeCloseTo(64 / 124, 6);
      expect(axiThroughput({ bursts: 1, beatsPerBurst: 64, latency: 60, inFlight: 4, rate: 1 })).toBe(1);
    });
  },
);

describe.skipIf(missing !== undefined)(`AXI4-Lite control registers under Verilator ${missing ?? ''}`, () => {
  it('lint clean under -Wall', async () => {
    const r = await execa('verilator', ['--lint-only', '-Wall', '-GNLAYERS=5', CTRL], { reject: false, all: true });
    expect(r.all ?? '').toBe('');
    expect(r.exitCode).toBe(0);
  }, 60_000);

  it('the register map as a host sees it, every order of address and data, refusals as SLVERR, a run of 8 images', async () => {
    const mdir = join(dir, 'ctrl');
    await execa('verilator', [
      '--cc',
      '--exe',
      '--build',
      '-Wall',
      '--top-module',
      'trips_axil_ctrl',
      '-GNLAYERS=5',
      // the driver expects DESIGN 0x1234abcd
      '-GDESIGN=305441741',
      '-CFLAGS',
      '-O1',
      '-Mdir',
      mdir,
      CTRL,
      join(SIM, 'axil_ctrl.cpp'),
    ]);
    for (const seed of [1, 2, 3]) {
      const { stdout } = await execa(join(mdir, 'Vtrips_axil_ctrl'), [String(seed)]);
      const r = JSON.parse(stdout) as { checks: number; failures: string[]; startPulses: number; runCycles: number };
      expect(r.failures).toEqual([]);
      expect(r.checks).toBe(48);
      expect(r.startPulses).toBe(2);
      expect(r.runCycles).toBeGreaterThan(0);
    }
  }, 180_000);
});

/** Yosys synth_xilinx of `top` from `files` with `params`: the cell counts, after the misreading check. */
async function synthCells(files: readonly string[], top: string, params: string, family: 'xc7' | 'xcup') {
  const inputs = Object.fromEntries(files.map((f) => [basename(f), readFileSync(f, 'utf8')]));
  const script = [
    `read_verilog -sv ${Object.keys(inputs).join(' ')}`,
    `chparam ${params} ${top}`,
    `synth_xilinx -family ${family} -top ${top} -noiopad -noclkbuf`,
    'tee -q -o stat.json stat -json',
  ].join('\n');
  const run = await runYosysScript('npm', script, inputs, ['stat.json']);
  expect(misreadingOf(run.log)).toBeUndefined();
  const cells = cellCounts(run.outputs['stat.json']);
  return (re: RegExp) => Object.entries(cells).reduce((s, [t, n]) => s + (re.test(t) ? n : 0), 0);
}

describe('AXI4 masters and the control registers under Yosys', () => {
  it('synthesise for 7-series to logic only (no DSP, no block RAM), as written', async () => {
    const count = await synthCells([...SOURCES, TOP], 'trips_axi_copy', '-set DW 128', 'xc7');
    expect(count(/^DSP48/)).toBe(0);
    expect(count(/^RAMB/)).toBe(0);
    expect(count(/^FD/)).toBeGreaterThan(100);
    // two burst cutters, counters and queues: a few hundred LUTs, not thousands
    expect(count(/^LUT/)).toBeLessThan(1500);
  }, 120_000);

  it('the arbiter synthesises to logic only', async () => {
    const count = await synthCells([SOURCES[0], ...ARB], 'trips_axi_arb', '-set N 4 -set DW 128 -set WQ 16 -set IW 2', 'xc7');
    expect(count(/^DSP48/) + count(/^RAMB/)).toBe(0);
    expect(count(/^LUT/)).toBeGreaterThan(100);
  }, 120_000);

  it('the control registers synthesise to logic only', async () => {
    const count = await synthCells([CTRL], 'trips_axil_ctrl', '-set NLAYERS 24', 'xcup');
    expect(count(/^DSP48/) + count(/^RAMB/)).toBe(0);
    expect(count(/^FD/)).toBeGreaterThan(200);
  }, 120_000);
});
