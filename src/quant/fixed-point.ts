/**
 * Fixed-point requantisation constants (docs/quant.md): real multipliers and biases rounded
 * once to a 24-bit multiplier, a bias in 2^−shift units and one shift, within the bounds of the
 * integer scheme (arith.ts) — and the accumulator bound every MAC layer must respect.
 */
import {
  ACCUMULATOR_BITS,
  ACCUMULATOR_MAX,
  MULTIPLIER_BITS,
  MULTIPLIER_MAX,
  PRODUCT_BITS,
  PRODUCT_MAX,
  SHIFT_MAX,
  roundHalfEven,
} from './arith.js';
import { IntegerModelError } from './model-types.js';

interface Fixed {
  readonly shift: number;
  readonly multiplier: number[];
  readonly bias: number[];
}

/**
 * The fixed point of real multipliers M_i and real biases B_i (in output codes) sharing one
 * shift: the largest n ≤ 62 with every |m_i| = |rne(M_i·2^n)| ≤ 2^23 − 1 and
 * accMax_i·|m_i| + |c_i| ≤ 2^53 − 1, c_i = rne(B_i·2^n). With a clamp (`H`: the larger
 * magnitude of the clamp bounds) a bias beyond ±(accMax·|m| + (H+1)·2^n) is saturated there:
 * such a channel's output is clamped whatever its accumulator, so nothing changes but the width.
 */
export function fixedPoint(
  M: readonly number[],
  B: readonly number[],
  accMax: readonly number[],
  H: number | undefined,
  what: string,
): Fixed {
  for (const v of [...M, ...B])
    if (!Number.isFinite(v))
      throw new IntegerModelError(`${what}: the folded multiplier or bias is ${v} (check the batch-norm statistics)`);
  let why = '';
  for (let n = SHIFT_MAX; n >= 0; n--) {
    const p = 2 ** n;
    const multiplier: number[] = [];
    const bias: number[] = [];
    let ok = true;
    for (let i = 0; i < M.length && ok; i++) {
      const m = roundHalfEven(M[i] * p);
      if (Math.abs(m) > MULTIPLIER_MAX) {
        why = `multiplier ${M[i]} does not fit ${MULTIPLIER_BITS} signed bits even with shift 0 (the output scale is too fine for the input and weight scales)`;
        ok = false;
        break;
      }
      let c = roundHalfEven(B[i] * p);
      if (H !== undefined) {
        const bound = accMax[i] * Math.abs(m) + (H + 1) * p;
        c = Math.min(Math.max(c, -bound), bound);
      }
      if (accMax[i] * Math.abs(m) + Math.abs(c) > PRODUCT_MAX) {
        why = `|acc·m + bias| may reach ${accMax[i] * Math.abs(m) + Math.abs(c)} > 2^${PRODUCT_BITS - 1} − 1 (accumulator bound ${accMax[i]}, multiplier ${m}, bias ${c})`;
        ok = false;
        break;
      }
      multiplier.push(m);
      bias.push(c);
    }
    if (ok) return { shift: n, multiplier, bias };
  }
  throw new IntegerModelError(`${what}: no fixed point fits: ${why}`);
}

/** A layer whose worst-case accumulator exceeds 32 bits cannot be built. */
export function checkAccumulator(what: string, bound: number): void {
  if (bound > ACCUMULATOR_MAX) {
    throw new IntegerModelError(
      `${what}: worst-case |accumulator| ${bound} exceeds the ${ACCUMULATOR_BITS}-bit bound ${ACCUMULATOR_MAX} (fewer input channels or bits)`,
    );
  }
}
