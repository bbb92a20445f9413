/**
 * The numeric constants that the training engine (nn/) and the integer model (quant/) must
 * share for their outputs to be bit-identical (design.md §4): defined here once, imported by
 * both — never written twice.
 */

/** Batch-norm epsilon: the QAT model's normalisation and the integer model's BN folding. */
export const BN_EPSILON = 1e-5;

/** Bitwidth of the network input (the normalised image, signed). */
export const INPUT_BITS = 8;

/** Floor of an activation range before its step is taken (range / levels). */
export const ACTIVATION_RANGE_FLOOR = 1e-8;

/** Floor of a weight channel's max |w| before its scale is taken. */
export const WEIGHT_MAX_FLOOR = 1e-12;
