/**
 * Weights on disk in the TF.js weights-manifest format: `weights_manifest.json` (one group,
 * one shard) next to `weights.bin`. Written atomically: a reader sees the old pair or the new.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from './tf.js';
import { InputError } from '../core/diagnostics.js';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from '../core/files.js';

export const MANIFEST_FILE = 'weights_manifest.json';
export const SHARD_FILE = 'weights.bin';

export async function saveWeights(dir: string, tensors: tf.NamedTensorMap): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  // the shard first: a manifest never names a shard that is not there yet
  writeFileAtomic(join(dir, SHARD_FILE), new Uint8Array(data as ArrayBuffer));
  writeJsonAtomic(join(dir, MANIFEST_FILE), [{ paths: [SHARD_FILE], weights: specs }]);
}

export function loadWeights(dir: string): tf.NamedTensorMap {
  const manifestFile = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestFile)) throw new InputError(manifestFile, '', 'file not found (expected a TF.js weights manifest)');
  const manifest = readJsonFile(manifestFile) as tf.io.WeightsManifestConfig;
  const group = Array.isArray(manifest) ? manifest[0] : undefined;
  if (!group || !Array.isArray(group.paths) || group.paths.length !== 1 || !Array.isArray(group.weights)) throw new InputError(manifestFile, '/0/paths', 'expected one weights group with one shard');
  const shard = join(dir, group.paths[0]);
  if (!existsSync(shard)) throw new InputError(shard, '', 'file not found (the weights shard the manifest names)');
  const bytes = readFileSync(shard);
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.io.decodeWeights(data, group.weights);
}
