/**
 * The synthesis cache: a second run of the same job is read back, not synthesised, with the same
 * result; the entry sits in <cache>/<hash>/result.json; a changed input is another entry.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { misreadingOf, synthesize, YosysError } from '../../src/synth/index.js';
import { TINY_SV, tinyJob } from './helpers.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'trips-hw-synth-cache-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('synthesize (cached)', () => {
  it('synthesises once, then reads the same result back', async () => {
    const job = tinyJob('xc7');
    const first = await synthesize(job, { backend: 'npm', cacheDir });
    expect(first.cached).toBe(false);
    expect(first.measured).toMatchObject({ dsp48: 1, bram18: 1 });
    expect(first.seconds).toBeGreaterThan(0);
    const entry = join(cacheDir, first.hash, 'result.json');
    expect(existsSync(entry)).toBe(true);
    expect(existsSync(join(cacheDir, first.hash, 'yosys.log'))).toBe(true);
    const second = await synthesize(job, { backend: 'npm', cacheDir });
    expect(second).toEqual({ ...first, cached: true });
  }, 180_000);

  it('hashes the inputs, the script and the family: a change is another entry', async () => {
    const base = await synthesize(tinyJob('xc7'), { backend: 'npm', cacheDir });
    expect(base.cached).toBe(true);
    const edited = await synthesize(tinyJob('xc7', `${TINY_SV}\n// edited\n`), { backend: 'npm', cacheDir });
    const family = await synthesize(tinyJob('xcup'), { backend: 'npm', cacheDir });
    expect([edited.cached, family.cached]).toEqual([false, false]);
    expect(new Set([base.hash, edited.hash, family.hash]).size).toBe(3);
    expect(family.measured.cells).toHaveProperty('DSP48E2', 1);
  }, 300_000);

  it('replaces an entry it cannot read back', async () => {
    const job = tinyJob('xc7');
    const { hash } = await synthesize(job, { backend: 'npm', cacheDir });
    writeFileSync(join(cacheDir, hash, 'result.json'), '{ half');
    const again = await synthesize(job, { backend: 'npm', cacheDir });
    expect(again.cached).toBe(false);
    expect(JSON.parse(readFileSync(join(cacheDir, hash, 'result.json'), 'utf8')).measured.dsp48).toBe(1);
  }, 180_000);

  it('refuses a netlist Yosys built from something other than the text (an implicitly declared name, an undriven wire)', async () => {
    // a member of an element of a packed array of structs: Verilator reads it, Yosys 0.55 makes
    // it a new, undriven wire — the netlist would be counted as if it were the design
    const misread = `${TINY_SV}
module tiny_stages (
    input logic clk,
    input logic a,
    output logic y
);
  typedef struct packed {
    logic v;
    logic w;
  } stage_t;
  stage_t [1:0] s;
  always_ff @(posedge clk) begin
    s[0].v <= a;
    s[1] <= s[0];
  end
  assign y = s[1].v;
endmodule
`;
    const job = tinyJob('xc7', misread);
    const withStages = { ...job, script: job.script.replace(/chparam[^\n]*\n/, '').replaceAll('tiny_top', 'tiny_stages') };
    await expect(synthesize(withStages, { backend: 'npm', cacheDir })).rejects.toThrow(YosysError);
    await expect(synthesize(withStages, { backend: 'npm', cacheDir })).rejects.toThrow(
      /did not read the engine as it is written: .*implicitly declared/,
    );
    expect(misreadingOf("x\nsrc/a.sv:3: Warning: Identifier `\\s[1].v' is implicitly declared.\ny")).toMatch(/implicitly declared/);
    expect(misreadingOf('Warning: Resizing cell port x from 16 bits to 14 bits.')).toBeUndefined();
  }, 180_000);
});
