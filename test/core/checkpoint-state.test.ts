/**
 * Checkpoints and the training summary through their schemas: the state.json a real training
 * run and a real (two-epoch smoke) search write, train.json and search.jsonl as written, and a
 * corrupt state.json on resume is an `InputError` naming it — never a bare JSON.parse error.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBoard } from '../../src/accel/boards.js';
import { InputError } from '../../src/core/diagnostics.js';
import { loadArtifactLines, validateArtifact } from '../../src/core/schema.js';
import { selectBackend } from '../../src/nn/backend.js';
import { readCheckpoint } from '../../src/nn/checkpoint.js';
import { DEFAULT_SGD } from '../../src/nn/optimizer.js';
import * as tf from '../../src/nn/tf.js';
import { trainNetwork, type TrainJob } from '../../src/nn/train.js';
import { retrainDesign } from '../../src/quant/retrain.js';
import { runSearch } from '../../src/search/joint.js';
import { PRESETS } from '../../src/search/presets.js';
import { TINY } from '../nn/tiny.js';
import { inputErrorOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-checkpoint-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend('cpu');
});

const job = (outDir: string, extra: Partial<TrainJob> = {}): TrainJob => ({
  network: TINY,
  dataset: 'synthetic',
  epochs: 1,
  batchSize: 32,
  sgd: { ...DEFAULT_SGD, learningRate: 0.1 },
  seed: 3,
  outDir,
  resume: false,
  backend: 'cpu',
  replicas: 1,
  limitTrain: 64,
  ...extra,
});

const stateOf = (run: string) =>
  JSON.parse(readFileSync(join(run, 'checkpoint', 'state.json'), 'utf8')) as { version: number; state: Record<string, unknown> };

describe('training: checkpoint state and train.json', () => {
  const run = join(dir, 'train');
  beforeAll(async () => {
    const r = await retrainDesign(job(run), 'tiny.design.json');
    expect(r.interrupted).toBe(false);
  }, 120_000);

  it('state.json and train.json as written validate, and readCheckpoint returns the state', () => {
    const written = stateOf(run);
    expect(validateArtifact('checkpoint-state', written, 'state.json')).toBe(written);
    const found = readCheckpoint<{ epochs: { epoch: number }[] }>(run);
    expect(found?.state.epochs.map((e) => e.epoch)).toEqual([0]);
    tf.dispose(Object.values(found?.tensors ?? {}));
    const summary = JSON.parse(readFileSync(join(run, 'train.json'), 'utf8')) as { epochs: number; history: unknown[] };
    expect(validateArtifact('train-summary', summary, 'train.json')).toBe(summary);
    expect([summary.epochs, summary.history.length]).toEqual([1, 1]);
  });

  it('a corrupt state.json is bad input naming it, also through --resume', async () => {
    const file = join(run, 'checkpoint', 'state.json');
    const good = readFileSync(file, 'utf8');
    const written = stateOf(run) as { version: number; state: { settings: unknown; epochs: Record<string, unknown>[] } };
    const cases: [string, string][] = [
      ['{"version": 1, "state": ', ''],
      [JSON.stringify({ ...written, version: 2 }), '/version'],
      [
        JSON.stringify({ version: 1, state: { ...written.state, epochs: [{ ...written.state.epochs[0], testAccuracy: 7 }] } }),
        '/state/epochs/0/testAccuracy',
      ],
      [JSON.stringify({ version: 1, state: { epochs: written.state.epochs } }), '/state'],
      [JSON.stringify({ version: 1, state: [] }), '/state'],
    ];
    try {
      for (const [text, pointer] of cases) {
        writeFileSync(file, text);
        const e = inputErrorOf(() => readCheckpoint(run));
        expect([e.file, e.pointer], text).toEqual([file, pointer]);
      }
      writeFileSync(file, 'not json');
      const resumed = (await trainNetwork(job(run, { resume: true, epochs: 2 })).catch((error: unknown) => error)) as InputError;
      expect(resumed).toBeInstanceOf(InputError);
      expect([resumed.file, resumed.pointer]).toEqual([file, '']);
      expect(resumed.expectation).toMatch(/^not valid JSON/);
    } finally {
      writeFileSync(file, good);
    }
  });
});

describe('search: checkpoint state and search.jsonl', () => {
  const run = join(dir, 'search');
  beforeAll(async () => {
    const preset = PRESETS.smoke;
    const r = await runSearch({
      space: preset.space,
      dataset: 'synthetic',
      board: resolveBoard(preset.board),
      preset: preset.name,
      // one warm-up epoch, one joint epoch: arch steps, Adam's moments, an accelerator and its logits
      schedule: { ...preset.schedule, epochs: 2, warmupEpochs: 1, limitTrain: 128, evalSamples: 64, dasSamples: 50, finalDasSamples: 100 },
      fpsWindow: preset.fpsWindow,
      lambda: preset.schedule.lambda,
      hwSearch: 'joint',
      sampling: 'heterogeneous',
      seed: 1,
      outDir: run,
      resume: false,
      backend: 'cpu',
      replicas: 1,
    });
    expect(r.interrupted).toBe(false);
  }, 180_000);

  it('state.json and every line of search.jsonl validate', () => {
    const written = stateOf(run) as {
      version: number;
      state: { epochs: unknown[]; adam: { t: number }; hardware?: { accelerator: unknown } };
    };
    expect(validateArtifact('checkpoint-state', written, 'state.json')).toBe(written);
    expect(written.state.epochs).toHaveLength(2);
    expect(written.state.adam.t).toBeGreaterThan(0);
    expect(written.state.hardware?.accelerator).toBeDefined();
    const lines = loadArtifactLines<{ epoch: number; phase: string }>('search-epoch', join(run, 'search.jsonl'));
    expect(lines.map((l) => [l.epoch, l.phase])).toEqual([
      [0, 'warm-up'],
      [1, 'joint'],
    ]);
  });

  it('a search state that is broken is bad input naming the field (the search shape, told by adam)', () => {
    const file = join(run, 'checkpoint', 'state.json');
    const good = readFileSync(file, 'utf8');
    const written = stateOf(run) as {
      version: number;
      state: Record<string, unknown> & { adam: { m: number[] }; epochs: Record<string, unknown>[] };
    };
    const cases: [unknown, string][] = [
      [{ version: 1, state: { ...written.state, adam: { ...written.state.adam, m: ['x'] } } }, '/state/adam/m/0'],
      [{ version: 1, state: { ...written.state, lambda: -1 } }, '/state/lambda'],
      [{ version: 1, state: { ...written.state, epochs: [{ ...written.state.epochs[0], phase: 'cooldown' }] } }, '/state/epochs/0/phase'],
      [{ version: 1, state: { ...written.state, hardware: { searchedFor: 'x' } } }, '/state/hardware'],
    ];
    try {
      for (const [value, pointer] of cases) {
        writeFileSync(file, JSON.stringify(value));
        const e = inputErrorOf(() => readCheckpoint(run));
        expect([e.file, e.pointer]).toEqual([file, pointer]);
      }
    } finally {
      writeFileSync(file, good);
    }
  });
});
