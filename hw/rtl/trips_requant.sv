// trips_requant.sv — one requantiser of the output path (docs/quant.md §2), a pipeline of six
// registered stages so that no stage holds more than one wide carry chain:
//   o2 operands   accumulator (add: its two codes), multiplier, bias and shift of the entry
//   o3 products   acc · m and bias (add: a · m0 and b · m1) — DSP48s with input and output registers
//   o4 sum        v = p1 + p2 (64 bits)
//   o5 shift      q = v >>> n, the guard bit v[n−1] and the sticky OR of the bits below it
//   o6 round      q + 1 when the dropped part is above one half, or one half and q odd (half to even)
//   o7 clamp      to [lo, hi] (raw fc: v as it is)
// round(v / 2^n), half to even (docs/quant.md §2; the HLS project's round_shift), taken apart:
// the remainder r = v mod 2^n is above 2^(n−1) exactly when its bit n−1 is set and a bit below
// is, and equal to it when bit n−1 alone is — so neither the remainder nor the half is formed, and no 64-bit compare is needed.
// The output path keeps each word's mode: mode1, mode2 of the words in o1, o2; raw3, raw6: the
// words in o3, o6 are a raw fc's.
module trips_requant #(
    parameter int ACT_W = 9,
    parameter int ACC_W = 32
) (
    input logic clk,
    input logic [1:0] mode1,
    input logic [1:0] mode2,
    input logic raw3,
    input logic raw6,
    // o1: the accumulator word and the entry's table words
    /* verilator lint_off UNUSEDSIGNAL */
    input logic [ACC_W-1:0] acc,  // an add's two codes, or a 32-bit sum
    /* verilator lint_on UNUSEDSIGNAL */
    input logic [63:0] bias,
    input logic [23:0] mul,
    input logic [5:0] shift,
    // add: the two inputs' multipliers and the shift
    input logic signed [23:0] mul0,
    input logic signed [23:0] mul1,
    input logic [5:0] shift0,
    input logic signed [31:0] lo,
    input logic signed [31:0] hi,
    output logic signed [63:0] out
);
  logic signed [31:0] aQ;
  logic signed [23:0] mQ;
  logic signed [ACT_W-1:0] bQ;
  logic signed [63:0] biasQ, p1, p2, v4, q5, y6;
  logic [5:0] sh2, sh3, sh4;
  logic guard5, sticky5;
  always_ff @(posedge clk) begin
    // o2
    aQ <= mode1 == trips_pkg::OUT_ADD ? 32'($signed(acc[ACT_W-1:0])) : acc[31:0];
    bQ <= acc[2*ACT_W-1:ACT_W];
    mQ <= mode1 == trips_pkg::OUT_ADD ? mul0 : $signed(mul);
    biasQ <= mode1 == trips_pkg::OUT_POOL ? 64'sd0 : $signed(bias);
    sh2 <= mode1 == trips_pkg::OUT_ADD ? shift0 : shift;
    // o3
    p1 <= 64'($signed(aQ)) * 64'($signed(mQ));
    p2 <= mode2 == trips_pkg::OUT_ADD ? 64'($signed(bQ)) * 64'(mul1) : biasQ;
    sh3 <= sh2;
    // o4
    v4 <= p1 + p2;
    sh4 <= raw3 ? 6'd0 : sh3;
  end

  // o4 → o5: the bits the shift drops, as the guard and the sticky bit
  logic [5:0] below;
  logic [63:0] lowBits;
  always_comb begin
    below = sh4 - 6'd1;
    for (int i = 0; i < 64; i++) lowBits[i] = v4[i] && 6'(i) < below;
  end
  always_ff @(posedge clk) begin
    q5 <= v4 >>> sh4;
    guard5 <= sh4 != 6'd0 && v4[below];
    sticky5 <= |lowBits;  // n = 0: no guard, so no matter
    // o6
    y6 <= q5 + 64'(guard5 && (sticky5 || q5[0]));
    // o7
    out <= raw6 ? y6 : trips_pkg::clamp(y6, lo, hi);
  end
endmodule
