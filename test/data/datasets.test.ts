import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/diagnostics.js';
import { datasetByName, isDatasetName, type DatasetName } from '../../src/data/index.js';
import { makeTempDir } from './helpers.js';

describe('datasetByName', () => {
  it('makes the synthetic dataset from the seed', () => {
    const a = datasetByName('synthetic', { seed: 3 });
    expect(a.name).toBe('synthetic');
    expect([a.train.count, a.test.count, a.train.height, a.train.channels]).toEqual([512, 128, 28, 1]);
    expect(datasetByName('synthetic', { seed: 3 }).mean).toEqual(a.mean);
  });

  it('says how to get a dataset that is missing', () => {
    const dir = join(makeTempDir('by-name'), 'absent');
    expect(() => datasetByName('fashion-mnist', { dataDir: dir })).toThrow(`Fashion-MNIST not found at ${dir}: install it with`);
    expect(() => datasetByName('cifar10', {})).toThrow(UsageError);
    expect(() => datasetByName('cifar10', {})).toThrow(/needs --data DIR: download .*cifar-10-binary\.tar\.gz/);
    expect(() => datasetByName('cifar10', { dataDir: dir })).toThrow(`CIFAR-10 not found at ${dir}`);
  });

  it('rejects an unknown name', () => {
    expect(isDatasetName('mnist')).toBe(false);
    expect(isDatasetName('cifar10')).toBe(true);
    expect(() => datasetByName('mnist' as DatasetName)).toThrow(
      'unknown dataset "mnist": expected one of fashion-mnist, cifar10, synthetic',
    );
  });
});
