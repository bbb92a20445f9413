/**
 * The integer golden model (docs/quant.md): `buildIntegerModel` turns a trained network and its
 * weights into plain integer data; `runInteger` is the bit-exact integer inference the HLS C++
 * and the RTL must reproduce.
 */
export {
  ACCUMULATOR_BITS,
  ACCUMULATOR_MAX,
  MAX_BITS,
  MIN_BITS,
  MULTIPLIER_BITS,
  MULTIPLIER_MAX,
  PRODUCT_BITS,
  PRODUCT_MAX,
  SHIFT_MAX,
  codeRange,
  roundHalfEven,
  roundShift,
  weightLevels,
} from './arith.js';
export { BN_EPSILON, INPUT_BITS, activationScale, buildIntegerModel, poolDivisors, shufflePermutation } from './integer-model.js';
export {
  IntegerModelError,
  type AddLayerQ,
  type ConvLayerQ,
  type FcLayerQ,
  type IntegerLayer,
  type IntegerModel,
  type PoolLayerQ,
  type QuantTensor,
  type Requant,
  type TensorLike,
  type WeightArray,
  type WeightSource,
} from './model-types.js';
export { quantiseInput, runInteger, runLayer, type IntegerResult, type RunOptions } from './golden.js';
export { wasmEngineSupports } from './engine-wasm.js';
export { compareWithTfjs, type Agreement } from './agreement.js';
