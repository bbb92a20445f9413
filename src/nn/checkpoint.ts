/**
 * Training checkpoints: one folder holding every variable (weights, running statistics,
 * optimizer velocities) as a TF.js weights manifest plus `state.json` (epoch, history, the
 * settings it was made with). A new checkpoint is written beside the old one and swapped in
 * by renaming folders, so an interrupted write leaves the previous checkpoint usable.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from './tf.js';
import { writeJsonAtomic } from '../core/files.js';
import { loadArtifact } from '../core/schema.js';
import { loadWeights, saveWeights } from './weights.js';
import { STAGE_FILES } from '../core/run-layout.js';

const CHECKPOINT_DIR = STAGE_FILES.checkpoint;
const STATE_FILE = 'state.json';

interface CheckpointState<S> {
  readonly version: 1;
  readonly state: S;
}

export async function writeCheckpoint<S>(runDir: string, tensors: tf.NamedTensorMap, state: S): Promise<void> {
  const final = join(runDir, CHECKPOINT_DIR);
  const fresh = `${final}.new`;
  const old = `${final}.old`;
  rmSync(fresh, { recursive: true, force: true });
  await saveWeights(fresh, tensors);
  writeJsonAtomic(join(fresh, STATE_FILE), { version: 1, state } satisfies CheckpointState<S>);
  rmSync(old, { recursive: true, force: true });
  if (existsSync(final)) renameSync(final, old);
  renameSync(fresh, final);
  rmSync(old, { recursive: true, force: true });
}

/**
 * The newest complete checkpoint of a run, or undefined when it has none. `state.json` goes
 * through schemas/checkpoint-state.schema.json (the search's state or the training's) and the
 * tensors through the weights reader: a corrupt checkpoint is an `InputError` naming the file.
 */
export function readCheckpoint<S>(runDir: string): { tensors: tf.NamedTensorMap; state: S } | undefined {
  for (const dir of [join(runDir, CHECKPOINT_DIR), join(runDir, `${CHECKPOINT_DIR}.old`)]) {
    const stateFile = join(dir, STATE_FILE);
    if (!existsSync(stateFile)) continue;
    const parsed = loadArtifact<CheckpointState<S>>('checkpoint-state', stateFile);
    return { tensors: loadWeights(dir), state: parsed.state };
  }
  return undefined;
}
