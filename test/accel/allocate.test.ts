/**
 * Chunk allocation (method.md §6) on the lowered cifar22 fixture genotype: chunks keyed by
 * (conv vs depthwise) × (large vs small output map) × bits, add and pool on their producer.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allocateChunks, chunkIdOf, DEFAULT_LARGE_MAP_PIXELS } from '../../src/accel/allocate.js';
import { R_CDW, ROW_SIZE } from '../../src/accel/cost-model.js';
import { compileCostProblem } from '../../src/accel/problem.js';
import { InputError } from '../../src/core/diagnostics.js';
import type { LayerSpec } from '../../src/core/network.js';
import { lowerGenotypeToNetwork } from '../../src/search/lower-genotype.js';
import { loadGenotype } from '../../src/search/spaces.js';
import { ZC706 } from './helpers.js';

const { space, genotype } = loadGenotype(fileURLToPath(new URL('../fixtures/cifar22-mixed.genotype.json', import.meta.url)));
const net = lowerGenotypeToNetwork(space, genotype);
const chunks = allocateChunks(net);
const chunkOf = new Map(chunks.flatMap((c) => c.layers.map((name) => [name, c] as const)));
const byName = new Map(net.layers.map((l) => [l.name, l]));
const isMac = (l: LayerSpec): boolean => l.kind === 'conv' || l.kind === 'fc' || l.kind === 'dwconv';

describe('allocateChunks on the cifar22 fixture', () => {
  it('makes at most 12 chunks — here all 12 keys of {conv, dw} × {large, small} × {4, 6, 8}', () => {
    expect(chunks.length).toBeLessThanOrEqual(12);
    const ids = chunks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const all = (['conv', 'dw'] as const).flatMap((k) =>
      (['large', 'small'] as const).flatMap((s) => [4, 6, 8].map((b) => chunkIdOf(k, s, b))),
    );
    expect([...ids].sort()).toEqual([...all].sort());
    for (const c of chunks) expect(c.id).toBe(chunkIdOf(c.kind, c.size, c.bits));
  });

  it('puts every layer in exactly one chunk, keeping network order inside a chunk', () => {
    const assigned = chunks.flatMap((c) => c.layers);
    expect(assigned.length).toBe(net.layers.length);
    expect(new Set(assigned)).toEqual(new Set(net.layers.map((l) => l.name)));
    const index = new Map(net.layers.map((l, i) => [l.name, i]));
    for (const c of chunks) {
      const order = c.layers.map((n) => index.get(n) ?? -1);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    // chunks are listed in the order their first layer appears
    const firsts = chunks.map((c) => index.get(c.layers[0]) ?? -1);
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    expect(chunks[0].layers[0]).toBe('stem');
  });

  it('keys each MAC layer by kind, map size (≥ 16×16 is large) and bits', () => {
    expect(DEFAULT_LARGE_MAP_PIXELS).toBe(256);
    for (const l of net.layers.filter(isMac)) {
      const c = chunkOf.get(l.name);
      expect(c?.kind, l.name).toBe(l.kind === 'dwconv' ? 'dw' : 'conv');
      expect(c?.size, l.name).toBe(l.outH * l.outW >= 256 ? 'large' : 'small');
      expect(c?.bits, l.name).toBe(l.bits);
    }
    // spot checks: the 32×32 stem at the fixed 8 bits; cell 5 (k5_e6, 6 bits, stride 2) maps
    // 32×32 → 16×16 = 256 pixels, still large; cell 9 (k5_e3, 8 bits) expands at 16×16 (large)
    // and its stride-2 depthwise writes 8×8 (small)
    expect(chunkOf.get('stem')?.id).toBe('conv_large_b8');
    expect(byName.get('c5_dw')?.outH).toBe(16);
    expect(chunkOf.get('c5_dw')?.id).toBe('dw_large_b6');
    expect(chunkOf.get('c9_expand')?.id).toBe('conv_large_b8');
    expect(byName.get('c9_dw')?.outH).toBe(8);
    expect(chunkOf.get('c9_dw')?.id).toBe('dw_small_b8');
    expect(chunkOf.get('c9_project')?.id).toBe('conv_small_b8');
  });

  it('runs add and pool on the chunk of their (first) producer', () => {
    const eltwise = net.layers.filter((l) => l.kind === 'add' || l.kind === 'pool');
    expect(eltwise.filter((l) => l.kind === 'add').length).toBeGreaterThan(3);
    expect(eltwise.filter((l) => l.kind === 'pool').map((l) => l.name)).toEqual(['pool']);
    for (const l of eltwise) {
      expect(chunkOf.get(l.name)?.id, l.name).toBe(chunkOf.get(l.inputs[0])?.id);
    }
    expect(chunkOf.get('pool')?.id).toBe(chunkOf.get('head')?.id);
  });

  it('puts the classifier (fc) in a conv chunk', () => {
    const fc = byName.get('fc');
    expect(fc?.kind).toBe('fc');
    expect(chunkOf.get('fc')?.kind).toBe('conv');
    expect(chunkOf.get('fc')?.id).toBe('conv_small_b8');
  });

  it('compiles into a cost problem whose chunk ranges cover every layer once', () => {
    const problem = compileCostProblem(net, chunks, ZC706);
    expect(problem.layers.length).toBe(net.layers.length);
    chunks.forEach((c, i) => {
      expect(problem.layers.slice(problem.chunkStart[i], problem.chunkEnd[i]).map((l) => l.name)).toEqual(c.layers);
      expect(problem.extents[i].dw).toBe(c.kind === 'dw');
      // the boards claim no DSP packing: the engine builds one multiplier per MAC at every bitwidth
      expect(problem.extents[i].macsPerDsp).toBe(1);
      // each packed row says whether its layer runs on a depthwise chunk (input words of peM
      // channels) — add and pool included, which follow their producer's chunk
      for (let l = problem.chunkStart[i]; l < problem.chunkEnd[i]; l++) {
        expect(problem.rows[l * ROW_SIZE + R_CDW]).toBe(c.kind === 'dw' ? 1 : 0);
      }
    });
    expect(problem.rows.length).toBe(net.layers.length * ROW_SIZE);
  });

  it('the map-size threshold is a parameter: one size means at most 6 chunks', () => {
    const allSmall = allocateChunks(net, Number.POSITIVE_INFINITY);
    expect(allSmall.every((c) => c.size === 'small')).toBe(true);
    expect(allSmall.length).toBe(6);
    expect(allocateChunks(net, 1).every((c) => c.size === 'large')).toBe(true);
  });

  it('compileCostProblem rejects a layer in two chunks or in none', () => {
    const twice = chunks.map((c, i) => (i === 1 ? { ...c, layers: [...c.layers, 'stem'] } : c));
    expect(() => compileCostProblem(net, twice, ZC706)).toThrow(InputError);
    expect(() => compileCostProblem(net, twice, ZC706)).toThrow(/"stem" is assigned to two chunks/);
    const none = chunks.map((c, i) => (i === 0 ? { ...c, layers: c.layers.slice(1) } : c));
    expect(() => compileCostProblem(net, none, ZC706)).toThrow(/"stem" has none/);
  });
});
