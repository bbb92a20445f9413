// The fused op's wasm kernels (SIMD, in place on the heap) against the composite on wasm: the
// same cases as fused.test.ts, run with the wasm backend.
process.env.TRIPS_HW_TEST_BACKEND = 'wasm';
await import('./fused.test.js');
