// Entry point of the project's WebAssembly SIMD kernels (built with `npm run build:kernels`
// into dist/nn/kernels.wasm). The module imports the TF.js wasm backend's memory and only reads
// and writes through the byte pointers it is given; see src/nn/wasm-kernels.ts.
export { gemm_atb, gemm_ab, transpose2d, flip_filter } from './gemm';
export { conv2d_bp_filter, conv2d_bp_input } from './conv';
export { dw_bp_filter, dw_bp_input } from './depthwise';
export {
  bn_moments, bn_grad_sums, bn_grad_dx, peak_of, mask_grad,
  bn_apply_mix, bn_mix_coef_grad, mix_quant, mix_coef_grad,
} from './norm';
export { sum_squares, sgd_momentum } from './sgd';
