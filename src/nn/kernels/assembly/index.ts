/**
 * The WebAssembly SIMD training kernels — stage: nn. AssemblyScript, compiled apart from the rest
 * by `npm run build:kernels` (asc) into dist/nn/kernels.wasm; every export here is a wasm export
 * that src/nn loads (wasm-module.ts) and calls. In: byte pointers into the TF.js wasm backend's
 * memory, which the module imports. Out: the results, written through those pointers.
 * What stays true: the kernels touch memory only where pointed; the module has no data of its own.
 */
export { gemm_atb, gemm_ab, transpose2d, flip_filter } from './gemm';
export { conv2d_bp_filter, conv2d_bp_input } from './conv';
export { dw_bp_filter, dw_bp_input } from './depthwise';
export {
  bn_moments, bn_grad_sums, bn_grad_dx, peak_of, mask_grad,
  bn_apply_mix, bn_mix_coef_grad, mix_quant, mix_coef_grad,
} from './norm';
export { sum_squares, sgd_momentum } from './sgd';
