/**
 * Weights on disk in the TF.js weights-manifest format: `weights_manifest.json` (one group,
 * one shard) next to `weights.bin`. Written atomically: a reader sees the old pair or the new.
 * Read through the schema, with the shard confined to the manifest's folder and its length
 * checked against the tensors before anything is decoded.
 */
import { join } from 'node:path';
import * as tf from './tf.js';
import { InputError } from '../core/diagnostics.js';
import { checkInputDir, readBinaryFile, resolveInside, writeFileAtomic, writeJsonAtomic } from '../core/files.js';
import { loadArtifact } from '../core/schema.js';

export const MANIFEST_FILE = 'weights_manifest.json';
const SHARD_FILE = 'weights.bin';

/** The most values a weights folder may hold (1 GiB of float32). */
const MAX_WEIGHT_VALUES = 1 << 28;

interface WeightsGroup {
  readonly paths: readonly [string];
  readonly weights: readonly { readonly name: string; readonly shape: readonly number[]; readonly dtype: 'float32' | 'int32' }[];
}

export async function saveWeights(dir: string, tensors: tf.NamedTensorMap): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  // the shard first: a manifest never names a shard that is not there yet
  writeFileAtomic(join(dir, SHARD_FILE), new Uint8Array(data as ArrayBuffer));
  writeJsonAtomic(join(dir, MANIFEST_FILE), [{ paths: [SHARD_FILE], weights: specs }]);
}

export function loadWeights(dir: string): tf.NamedTensorMap {
  checkInputDir(dir, 'a weights folder (weights_manifest.json + weights.bin)');
  const manifestFile = join(dir, MANIFEST_FILE);
  const [group] = loadArtifact<WeightsGroup[]>('weights-manifest', manifestFile);
  const names = new Set<string>();
  let values = 0;
  group.weights.forEach((w, i) => {
    if (names.has(w.name))
      throw new InputError(manifestFile, `/0/weights/${i}/name`, `expected unique tensor names, "${w.name.slice(0, 80)}" comes twice`);
    names.add(w.name);
    values += w.shape.reduce((a, b) => a * b, 1);
    if (values > MAX_WEIGHT_VALUES)
      throw new InputError(manifestFile, `/0/weights/${i}/shape`, `expected at most ${MAX_WEIGHT_VALUES} values in all`);
  });
  const shard = resolveInside(dir, group.paths[0], manifestFile, '/0/paths/0');
  const bytes = readBinaryFile(shard, 'the weights shard the manifest names');
  if (bytes.byteLength !== values * 4)
    throw new InputError(
      shard,
      '',
      `expected ${values * 4} bytes (the ${group.weights.length} tensors of ${manifestFile}), found ${bytes.byteLength}`,
    );
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return tf.io.decodeWeights(data, group.weights as tf.io.WeightsManifestEntry[]);
}
