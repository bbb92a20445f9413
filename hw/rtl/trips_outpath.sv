// trips_outpath.sv — requantisation and activation on the way out: every write lane of the
// DMA turns one accumulator into the word it stores (docs/quant.md):
//   conv / dw / fc : clamp(round_half_even((acc·m + bias) / 2^shift), lo, hi), per out channel
//   raw fc         : acc·m + bias (64-bit integer logit)
//   pool           : clamp(round_half_even(sum·m_n / 2^shift_n)), n = pixels of the window
//   add            : the code the compute lanes already formed
// The channel permutation (shuffle) only moves the word's DRAM address.
module trips_outpath
#(
    parameter int LANES = 8
) (
    input logic [1:0] mode,
    input logic perm,
    input logic [LANES-1:0][31:0] laneA,
    input logic [LANES-1:0][31:0] laneB,
    input logic [LANES-1:0][31:0] laneChan,
    input logic [LANES-1:0][31:0] laneAddr,
    input logic [31:0] kernel,
    input logic [31:0] stride,
    input logic [31:0] pad,
    input logic [31:0] inH,
    input logic [31:0] inW,
    input logic signed [31:0] lo,
    input logic signed [31:0] hi,
    // per lane: the requantisation entry it reads, and what the buffers hold there
    output logic [LANES-1:0][31:0] entry,
    input logic [LANES-1:0][31:0] accV,
    input logic [LANES-1:0][63:0] biasV,
    input logic [LANES-1:0][31:0] mulV,
    input logic [LANES-1:0][7:0] shiftV,
    input logic [LANES-1:0][15:0] permV,
    // pool: the table holds window sizes entry0 + 1 … (only those that occur are loaded)
    input logic [31:0] entry0,
    output logic [LANES-1:0][63:0] data,
    output logic [LANES-1:0][31:0] addr
);

  // pixels of pool window (oy, ox) inside the map: padding is not counted
  function automatic logic [31:0] window(input logic [31:0] oy, input logic [31:0] ox);
    logic signed [31:0] y0, x0, y1, x1;
    y0 = $signed(oy * stride) - $signed(pad);
    x0 = $signed(ox * stride) - $signed(pad);
    y1 = y0 + $signed(kernel);
    x1 = x0 + $signed(kernel);
    if (y0 < 0) y0 = 0;
    if (x0 < 0) x0 = 0;
    if (y1 > $signed(inH)) y1 = $signed(inH);
    if (x1 > $signed(inW)) x1 = $signed(inW);
    window = 32'((y1 - y0) * (x1 - x0));
  endfunction

  always_comb begin
    for (int j = 0; j < LANES; j++)
      entry[j] = mode == trips_pkg::OUT_POOL ? window(laneA[j], laneB[j]) - 32'd1 - entry0 : laneChan[j];
  end

  always_comb begin
    for (int j = 0; j < LANES; j++) begin
      logic signed [63:0] a, v;
      a = 64'($signed(accV[j]));
      v = a * 64'($signed(mulV[j])) + $signed(biasV[j]);
      case (mode)
        trips_pkg::OUT_RAW: data[j] = v;
        trips_pkg::OUT_COPY: data[j] = a;
        trips_pkg::OUT_POOL: data[j] = trips_pkg::clamp(trips_pkg::round_shift(a * 64'($signed(mulV[j])), shiftV[j]), lo, hi);
        default: data[j] = trips_pkg::clamp(trips_pkg::round_shift(v, shiftV[j]), lo, hi);
      endcase
      addr[j] = laneAddr[j] + (perm ? 32'(permV[j]) : laneChan[j]);
    end
  end
endmodule
