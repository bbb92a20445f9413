/**
 * Synth records against schemas/synth-record.schema.json: a record made from a fixture's program
 * carries the chunk's parameters and sizes and the model's resources from program.json, and
 * passes; a record that breaks the schema is refused as a bug, not written.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { estimateDesign } from '../../src/accel/estimate.js';
import { lowerChunk } from '../../src/backend/rtl/lower.js';
import type { ProgramSpec } from '../../src/backend/types.js';
import { InputError } from '../../src/core/diagnostics.js';
import { validateArtifact } from '../../src/core/schema.js';
import { checkSynthRecord, makeSynthRecord, measureCells, type SynthRecord } from '../../src/synth/index.js';
import { loadFixture, programOf } from '../sim/helpers.js';

let program: ProgramSpec;
let record: SynthRecord;

beforeAll(async () => {
  program = (await programOf(loadFixture('tiny-chain.design.json'))).program;
  const chunk = program.chunks[0];
  const measured = measureCells({ LUT6: 1200, FDRE: 2000, DSP48E1: 6, RAMB18E1: 1, CARRY4: 40 }, 9);
  record = makeSynthRecord(
    program,
    chunk,
    lowerChunk(program, chunk).sizes,
    { hash: 'h', measured, seconds: 12.5, cached: false },
    {
      family: 'xc7',
      backend: 'npm',
      version: 'Yosys 0.55 (git sha1 60f126cd0)',
    },
  );
}, 60_000);

describe('synth records', () => {
  it('carry the chunk, its sizes, the tool and the model resources program.json holds', () => {
    const chunk = program.chunks[0];
    expect(record).toMatchObject({
      version: 1,
      designHash: program.designHash,
      chunk: chunk.id,
      kind: 'conv',
      bits: 8,
      arch: { ...chunk.params, portBitsEffective: chunk.portBitsEffective },
      family: 'xc7',
      tool: { name: 'yosys', backend: 'npm' },
      model: chunk.resources,
      measured: { lut: 1200, ff: 2000, dsp48: 6, bram18: 1, carry: 40, logicDepth: 9 },
    });
    expect(record.sizes).toEqual(lowerChunk(program, chunk).sizes);
    expect(checkSynthRecord(record, 'records.jsonl')).toBe(record);
  });

  it("the model's resources in program.json are the estimate's, chunk by chunk", async () => {
    for (const name of ['tiny-chain.design.json', 'tiny-mixed.design.json']) {
      const design = loadFixture(name);
      const { program: p } = await programOf(design);
      const report = estimateDesign(design);
      expect(p.chunks.map((c) => c.resources)).toEqual(report.chunks.map(({ dsp, bram18, lut, ff }) => ({ dsp, bram18, lut, ff })));
    }
  }, 60_000);

  it('are refused when they break the schema: as a bug (internal), naming the field', () => {
    const bad = { ...record, measured: { ...record.measured, dsp48: -1 } };
    expect(() => checkSynthRecord(bad, 'records.jsonl')).toThrow(/^internal: .*\/measured\/dsp48/);
    const { model: _model, ...noModel } = record;
    expect(() => validateArtifact('synth-record', noModel, 'r.jsonl')).toThrow(InputError);
    expect(() => validateArtifact('synth-record', { ...record, family: 'xc6s' }, 'r.jsonl')).toThrow(/\/family/);
    expect(() => validateArtifact('synth-record', { ...record, tool: { ...record.tool, backend: 'docker' } }, 'r.jsonl')).toThrow(
      /\/tool\/backend/,
    );
  });
});
