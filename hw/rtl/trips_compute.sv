// trips_compute.sv — the compute side of one step: a PE_M × PE_N MAC array fed from the
// input and weight buffers, one (out-channel group, pixel, in-channel group, kernel tap) per
// cycle, so a step takes exactly the cost model's compute cycles:
//   mn: ⌈m/peM⌉·⌈n/peN⌉·r·c·K²  (peN input channels summed by the adder tree)
//   mp: ⌈m/peM⌉·n·r·⌈c/peN⌉·K²  (peN output columns side by side)
// Add and pool reuse the peM lanes and follow their input stream: an element waits until the
// DMA has delivered the words it reads (`loaded`), so load and compute overlap.
module trips_compute
#(
    parameter int PE_M = 2,
    parameter int PE_N = 2,
    parameter int ACT_W = 9,
    parameter int W_W = 8
) (
    input logic clk,
    input logic rst_n,
    input logic go,
    // 0 conv/fc/dw step, 1 add, 2 pool
    input logic [1:0] kind,
    input logic mp,
    input logic dw,
    // loop extents, outer to inner (see the controller)
    input logic [5:0][31:0] ext,
    input logic [31:0] peM,
    input logic [31:0] peN,
    input logic [31:0] mi,
    input logic [31:0] ni,
    input logic [31:0] ci,
    input logic [31:0] kernel,
    input logic [31:0] stride,
    input logic [31:0] pad,
    input logic [31:0] inH,
    input logic [31:0] inW,
    // input buffer: base, box columns and channels; weight buffer: base, per-m and per-tap strides
    input logic [31:0] inBase,
    input logic [31:0] boxW,
    input logic [31:0] boxN,
    input logic [31:0] wBase,
    input logic [31:0] wStrideM,
    input logic [31:0] wStrideK,
    input logic firstStep,
    input logic [31:0] loaded,
    // add: multipliers, shift and clamp
    input logic signed [31:0] mul0,
    input logic signed [31:0] mul1,
    input logic [7:0] shift0,
    input logic signed [31:0] lo,
    input logic signed [31:0] hi,
    // buffer reads: the addresses each lane reads this cycle and the words they hold
    output logic [PE_M-1:0][PE_N-1:0][31:0] xAddr,
    output logic [PE_M-1:0][PE_N-1:0][31:0] xAddr2,
    output logic [PE_M-1:0][PE_N-1:0][31:0] wAddr,
    input logic [PE_M-1:0][PE_N-1:0][ACT_W-1:0] xData,
    input logic [PE_M-1:0][PE_N-1:0][ACT_W-1:0] xData2,
    input logic [PE_M-1:0][PE_N-1:0][W_W-1:0] wData,
    input logic [PE_M-1:0][PE_N-1:0][31:0] accData,
    output logic busy,
    output logic last,
    output logic [PE_M-1:0][PE_N-1:0] accWe,
    output logic [PE_M-1:0][PE_N-1:0][31:0] accIdx,
    output logic [PE_M-1:0][PE_N-1:0][31:0] accVal
);
  logic active;
  logic [5:0][31:0] ctrQ, ctr;
  logic stall;

  always_comb begin
    for (int l = 0; l < 6; l++) ctr[l] = go ? 32'd0 : ctrQ[l];
    busy = go || active;
  end

  // operands of every lane, then the MAC array (products; mn sums them over j)
  logic signed [ACT_W-1:0] xv[PE_M][PE_N];
  logic signed [W_W-1:0] wv[PE_M][PE_N];
  logic [PE_M-1:0][PE_N-1:0] lv;
  logic [PE_M-1:0][PE_N-1:0][31:0] ai;
  logic [PE_M-1:0] init;
  logic [31:0] need;

  // operand addresses of lane (i, j) for the MAC kinds, and of an add / pool element
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic logic [31:0] xIndex(input int i, input int j);
    logic [31:0] m, n, col;
    m = ctr[0] * peM + 32'(i);
    col = mp ? ctr[2] * peN + 32'(j) : ctr[2];
    n = dw ? m : (mp ? ctr[3] : ctr[3] * peN + 32'(j));
    xIndex = inBase + ((ctr[1] * stride + ctr[4]) * boxW + col * stride + ctr[5]) * boxN + n;
  endfunction
  function automatic logic [31:0] wIndex(input int i, input int j);
    logic [31:0] m, n;
    m = ctr[0] * peM + 32'(i);
    n = dw ? 32'd0 : (mp ? ctr[3] : ctr[3] * peN + 32'(j));
    wIndex = wBase + m * wStrideM + (ctr[4] * kernel + ctr[5]) * wStrideK + n;
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  function automatic logic macValid(input int i, input int j);
    logic [31:0] m, n, col;
    m = ctr[0] * peM + 32'(i);
    col = ctr[2] * peN + 32'(j);
    n = ctr[3] * peN + 32'(j);
    if (32'(i) >= peM || m >= mi || 32'(j) >= peN) macValid = 1'b0;
    else if (mp) macValid = col < ci;
    else macValid = dw ? j == 0 : n < ni;
  endfunction

  // pool tap of lane i: the input word it reads (or 0 outside the map: padding adds nothing)
  logic signed [31:0] iy, ix;
  logic tapIn;
  always_comb begin
    iy = $signed(ctr[0] * stride + ctr[2]) - $signed(pad);
    ix = $signed(ctr[1] * stride + ctr[3]) - $signed(pad);
    tapIn = iy >= 0 && iy < $signed(inH) && ix >= 0 && ix < $signed(inW);
  end

  always_comb begin
    /* verilator lint_off UNUSEDSIGNAL */
    logic [31:0] xi, wi, m;
    /* verilator lint_on UNUSEDSIGNAL */
    {xi, wi, m} = '0;
    need = 32'd0;
    if (kind == 2'd2 && tapIn) need = (32'(iy) * inW + 32'(ix)) * mi + trips_pkg::min2(mi, (ctr[4] + 32'd1) * peM);
    else if (kind == 2'd1) need = 32'd2 * ((ctr[0] * ci + ctr[1]) * mi + trips_pkg::min2(mi, (ctr[2] + 32'd1) * peM));
    stall = kind != 2'd0 && need > loaded;
    for (int i = 0; i < PE_M; i++) begin
      init[i] = kind == 2'd0 ? firstStep && ctr[3] == 0 && ctr[4] == 0 && ctr[5] == 0 : ctr[2] == 0 && ctr[3] == 0;
      for (int j = 0; j < PE_N; j++) begin
        xi = 32'd0;
        wi = 32'd0;
        ai[i][j] = 32'd0;
        if (kind == 2'd0) begin
          m = ctr[0] * peM + 32'(i);
          lv[i][j] = macValid(i, j);
          xi = xIndex(i, j);
          wi = wIndex(i, j);
          ai[i][j] = (ctr[1] * ci + (mp ? ctr[2] * peN + 32'(j) : ctr[2])) * mi + m;
        end else if (kind == 2'd2) begin
          // pool: (oy, ox, ky, kx, m-group)
          m = ctr[4] * peM + 32'(i);
          lv[i][j] = j == 0 && 32'(i) < peM && m < mi;
          xi = (32'(iy) * inW + 32'(ix)) * mi + m;
          ai[i][j] = (ctr[0] * ext[1] + ctr[1]) * mi + m;
        end else begin
          // add: (row, col, m-group); the two inputs are interleaved word by word
          m = ctr[2] * peM + 32'(i);
          lv[i][j] = j == 0 && 32'(i) < peM && m < mi;
          ai[i][j] = (ctr[0] * ci + ctr[1]) * mi + m;
          xi = 32'd2 * ai[i][j];
        end
        xAddr[i][j] = xi;
        xAddr2[i][j] = xi + 32'd1;
        wAddr[i][j] = wi;
        accIdx[i][j] = ai[i][j];
      end
    end
  end

  // the operands of the lanes that work (pool: zero outside the map)
  always_comb begin
    for (int i = 0; i < PE_M; i++) begin
      for (int j = 0; j < PE_N; j++) begin
        xv[i][j] = lv[i][j] && (kind == 2'd0 || (kind == 2'd2 && tapIn)) ? $signed(xData[i][j]) : '0;
        wv[i][j] = lv[i][j] && kind == 2'd0 ? $signed(wData[i][j]) : '0;
      end
    end
  end

  always_comb begin
    for (int i = 0; i < PE_M; i++) begin
      logic signed [31:0] sum;
      sum = 32'sd0;
      for (int j = 0; j < PE_N; j++) sum = sum + 32'(xv[i][j]) * 32'(wv[i][j]);
      for (int j = 0; j < PE_N; j++) begin
        logic signed [31:0] prod, prev;
        logic signed [63:0] v;
        /* verilator lint_off UNUSEDSIGNAL */
        logic [31:0] e;
        /* verilator lint_on UNUSEDSIGNAL */
        e = ai[i][j];
        prev = accData[i][j];
        prod = 32'(xv[i][j]) * 32'(wv[i][j]);
        v = 64'($signed(xData[i][j])) * 64'(mul0) + 64'($signed(xData2[i][j])) * 64'(mul1);
        accWe[i][j] = busy && !stall && lv[i][j] && (kind == 2'd0 && !mp ? j == 0 : 1'b1);
        if (kind == 2'd0) accVal[i][j] = (init[i] ? 32'sd0 : prev) + (mp ? prod : sum);
        else if (kind == 2'd2) accVal[i][j] = (init[i] ? 32'sd0 : prev) + 32'(xv[i][j]);
        else accVal[i][j] = 32'(trips_pkg::clamp(trips_pkg::round_shift(v, shift0), lo, hi));
      end
    end
  end

  // the nest advances one iteration per cycle (innermost level 5), unless the data lags
  logic [5:0][31:0] nxt;
  logic wrap;
  always_comb begin
    nxt = ctr;
    wrap = 1'b1;
    for (int l = 5; l >= 0; l--) begin
      if (wrap) begin
        if (ctr[l] + 32'd1 < ext[l]) begin
          nxt[l] = ctr[l] + 32'd1;
          wrap = 1'b0;
        end else nxt[l] = 32'd0;
      end
    end
    last = busy && !stall && wrap;
  end

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      active <= 1'b0;
      ctrQ <= '0;
    end else if (busy) begin
      if (!stall) ctrQ <= nxt;
      else ctrQ <= ctr;
      active <= !last;
    end
  end
endmodule
