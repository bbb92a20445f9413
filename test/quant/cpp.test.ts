/**
 * The C++ header every generated HLS project includes (templates/hls/trips_int.h) computes the
 * golden model's rounding and requantisation exactly: compiled with the real g++ and fed
 * random and edge cases, it must print what src/quant/arith.ts computes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { Rng } from '../../src/core/random.js';
import { PRODUCT_MAX, roundShift } from '../../src/quant/arith.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-cpp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DRIVER = `#include <cstdio>
#include "trips_int.h"
int main() {
  long long v, m, c, lo, hi; int n;
  while (std::scanf("%lld %d %lld %lld %lld %lld", &v, &n, &m, &c, &lo, &hi) == 6) {
    std::printf("%lld %lld\\n", (long long)trips::round_shift(v, n), (long long)trips::requantise(v, m, c, n, lo, hi));
  }
  static_assert(sizeof(trips::sint<4>::type) == 1 && sizeof(trips::sint<9>::type) == 2 && sizeof(trips::sint<24>::type) == 4 && sizeof(trips::uint<33>::type) == 8, "type widths");
  return 0;
}
`;

describe('templates/hls/trips_int.h under g++', () => {
  it('rounds and requantises exactly as the golden model', async () => {
    writeFileSync(join(dir, 'driver.cpp'), DRIVER);
    const exe = join(dir, 'driver');
    await execa('g++', [
      '-std=c++11',
      '-O2',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-Wno-unknown-pragmas',
      '-I',
      join(PACKAGE_ROOT, 'templates', 'hls'),
      join(dir, 'driver.cpp'),
      '-o',
      exe,
    ]);
    const rng = new Rng(11);
    const cases: number[][] = [];
    const int = (max: number) => Math.floor((rng.next() * 2 - 1) * max);
    // ties, both signs, n = 0, the largest values and shifts
    for (const v of [0, 1, -1, 2, -2, 3, -3, 5, -5, 6, -6, 7, -7, PRODUCT_MAX, -PRODUCT_MAX])
      for (const n of [0, 1, 2, 3, 52, 62]) cases.push([v, n, 1, 0, -(2 ** 40), 2 ** 40]);
    for (let i = 0; i < 5000; i++) {
      const acc = int(2 ** 31 - 1);
      const m = int(2 ** 23 - 1);
      const n = Math.floor(rng.next() * 40);
      const c = int(2 ** 40);
      if (Math.abs(acc * m + c) > PRODUCT_MAX) continue;
      cases.push([acc, n, m, c, -127, 127]);
      cases.push([int(PRODUCT_MAX), Math.floor(rng.next() * 63), 1, 0, -(2 ** 50), 2 ** 50]);
    }
    const input = cases.map((c) => c.join(' ')).join('\n');
    const { stdout } = await execa(exe, [], { input });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(cases.length);
    lines.forEach((line, i) => {
      const [v, n, m, c, lo, hi] = cases[i];
      const [shifted, code] = line.split(' ').map(Number);
      expect(shifted, `round_shift(${v}, ${n})`).toBe(roundShift(v, n));
      expect(code, `requantise(${v}, ${m}, ${c}, ${n})`).toBe(Math.min(hi, Math.max(lo, roundShift(v * m + c, n))));
    });
  }, 60_000);
});
