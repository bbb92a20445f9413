/**
 * A chunk engine through Yosys as `trips-hw synth` runs it (npm package, so it runs wherever
 * `npm ci` ran): the tiny-chain fixture's project (a conv chunk, mp, ws, on 7-series) and the
 * depthwise chunk of tiny-mixed (mn, os, on UltraScale+), each synthesised for its board's
 * family, one schema-valid synth record per chunk in OUT/synth/records.jsonl — and the DSP48 and
 * BRAM18 synthesis maps are the ones the resource model charged (structure, not estimates).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProgramSpec } from '../../src/backend/types.js';
import { UsageError } from '../../src/core/diagnostics.js';
import { PROJECT_FILES } from '../../src/core/run-layout.js';
import { loadArtifactLines } from '../../src/core/schema.js';
import { defaultSynthCacheDir, type SynthRecord, synthesizeProject } from '../../src/synth/index.js';
import { loadFixture, programOf, writeProject } from '../sim/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-synth-chunk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// the cache every synthesis test shares (as the sim tests share Verilator's): a chunk is synthesised once
const cacheDir = process.env.TRIPS_HW_SYNTH_CACHE ?? defaultSynthCacheDir();

describe('synthesizeProject', () => {
  it('synthesizes one chunk of the tiny-chain fixture', async () => {
    const project = await programOf(loadFixture('tiny-chain.design.json'));
    const program: ProgramSpec = project.program;
    writeProject(join(dir, 'p'), project);
    const result = await synthesizeProject(join(dir, 'p'), { cacheDir });
    expect(result.family).toBe('xc7');
    const records = loadArtifactLines<SynthRecord>('synth-record', join(dir, 'p', PROJECT_FILES.synthRecords));
    expect(records).toHaveLength(program.chunks.length);
    expect(records).toEqual(result.chunks);
    for (const r of records) {
      expect(r.measured.dsp48, r.chunk).toBeGreaterThanOrEqual(1);
      expect({ chunk: r.chunk, dsp: r.measured.dsp48, bram18: r.measured.bram18 }).toEqual({
        chunk: r.chunk,
        dsp: r.model.dsp,
        bram18: r.model.bram18,
      });
    }
    expect(result.matches).toEqual({ dsp: records.length, bram18: records.length, of: records.length });
  }, 900_000);

  it('synthesizes the depthwise chunk of tiny-mixed for UltraScale+', async () => {
    writeProject(join(dir, 'm'), await programOf(loadFixture('tiny-mixed.design.json')));
    const result = await synthesizeProject(join(dir, 'm'), { cacheDir, chunks: ['dw_small_b4'] });
    expect(result.family).toBe('xcup');
    expect(result.chunks.map((r) => r.chunk)).toEqual(['dw_small_b4']);
    const [r] = result.chunks;
    expect(r.measured.dsp48).toBeGreaterThanOrEqual(1);
    expect({ dsp: r.measured.dsp48, bram18: r.measured.bram18 }).toEqual({ dsp: r.model.dsp, bram18: r.model.bram18 });
  }, 900_000);

  it('names the chunks it has when --chunks asks for another', async () => {
    writeProject(join(dir, 'q'), await programOf(loadFixture('tiny-chain.design.json')));
    const error = await synthesizeProject(join(dir, 'q'), { cacheDir, chunks: ['nope'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/--chunks: no chunk "nope" in tiny chain \(its chunks: conv_small_b8\)/);
  }, 60_000);
});
