/**
 * The integer golden model (docs/quant.md): `buildIntegerModel` turns a trained network and its
 * weights into plain integer data; `runInteger` is the bit-exact integer inference the HLS C++
 * and the RTL must reproduce.
 */
export {
  ACCUMULATOR_MAX,
  MULTIPLIER_MAX,
  PRODUCT_MAX,
  codeRange,
  roundHalfEven,
  roundShift,
} from './arith.js';
export { activationScale, buildIntegerModel, poolDivisors, shufflePermutation } from './integer-model.js';
export {
  IntegerModelError,
  type ConvLayerQ,
  type FcLayerQ,
  type IntegerModel,
  type QuantTensor,
  type WeightArray,
} from './model-types.js';
export { quantiseInput, runInteger, runLayer } from './golden.js';
