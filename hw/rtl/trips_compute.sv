// trips_compute.sv — the compute side of one step: the PE_M × PE_N MAC array fed from the
// banked input and weight buffers, one iteration of the step's loop nest per cycle, in a
// pipeline of four stages that synthesis maps onto block RAM and DSP registers:
//   t0 the nest's addresses go to the buffers (kept by adding strides: no multiplier)
//   t1 the buffers' registered words arrive; the operands of every lane are selected
//   t2 operand registers → multiply (a DSP with its input registers)
//   t3 product register → adder tree (mn) and accumulator register
//   t4 the accumulator word is written back at the end of its run (the inner three levels)
// so a step takes the cost model's compute cycles plus PIPE (4):
//   mn: ⌈m/peM⌉·⌈n/peN⌉·r·c·K²   mp: ⌈m/peM⌉·n·r·⌈c/peN⌉·K²   (+ PIPE)
// Add and pool use E lanes (E channels of one buffer word) and follow their input stream: an
// iteration waits until the DMA has written the word it reads.
module trips_compute #(
    parameter int PE_M = 2,
    parameter int PE_N = 2,
    parameter int ACT_W = 9,
    parameter int W_W = 8,
    parameter int MP = 0,
    // ws: one weight copy, so wHalf is not used (a parameter, not a constant port: see trips_outpath)
    parameter int WS = 0,
    parameter int DW = 0,
    // channels per input word, values per weight word, add/pool lanes, input/acc column banks
    parameter int VI = 2,
    parameter int VW = 2,
    parameter int E = 2,
    parameter int BJ = 1,
    // address bits of an input, weight and accumulator bank
    parameter int IA = 6,
    parameter int WA = 6,
    parameter int AA = 6,
    // accumulator word: 32 bits, or an add's two input codes when they are wider
    parameter int ACC_W = 32
) (
    input logic clk,
    input logic rst_n,
    input logic go,
    // 0 conv/fc/dw step, 1 add, 2 pool
    input logic [1:0] kind,
    input logic inHalf,
    input logic wHalf,
    input logic firstStep,
    // loop extents, outer to inner
    input logic [5:0][31:0] ext,
    // lane validity: out channels (or add / pool channels), output columns (mp), input channels
    input logic [31:0] mi,
    input logic [31:0] ci,
    input logic [31:0] niC,
    input logic [31:0] stride,
    input logic [31:0] pad,
    input logic [31:0] inH,
    input logic [31:0] inW,
    // buffer strides of the layer (descriptor words; docs/rtl.md §3)
    input logic [31:0] rsi,
    input logic [31:0] ngi,
    input logic [31:0] srsi,
    input logic [31:0] sngi,
    input logic [31:0] sb1ngi,
    input logic [31:0] padrsi,
    input logic [31:0] padngi,
    input logic [31:0] ts,
    input logic [31:0] ms,
    input logic [31:0] wStep,
    input logic [31:0] mg,
    input logic [31:0] accRow,
    // the DMA's next word (add / pool follow it)
    input logic xBusy,
    input logic [31:0] posA,
    input logic [31:0] posB,
    input logic posS,
    input logic [31:0] posC,
    // buffer reads: one address per input column bank (both halves), one for every weight bank
    output logic [BJ-1:0][IA-1:0] inRa,
    output logic [WA-1:0] wRa,
    output logic [AA-1:0] accRa,
    input logic [1:0][BJ-1:0][VI*ACT_W-1:0] inRd,
    input logic [1:0][PE_M-1:0][VW*W_W-1:0] wRd,
    input logic [PE_M-1:0][BJ-1:0][ACC_W-1:0] accRd,
    // accumulator writes: one address, an enable and a word per bank
    output logic [PE_M-1:0][BJ-1:0] accWe,
    output logic [AA-1:0] accWa,
    output logic [PE_M-1:0][BJ-1:0][ACC_W-1:0] accWd,
    output logic busy,
    output logic last
);
  // shifts by the (power-of-two) sizes, and the widths of fields that count below them (≥ 1 bit)
  localparam int SVI = $clog2(VI);
  localparam int SPM = $clog2(PE_M);
  localparam int SPN = $clog2(PE_N);
  localparam int LVI = SVI > 0 ? SVI : 1;
  localparam int LPM = SPM > 0 ? SPM : 1;
  localparam int LPN = SPN > 0 ? SPN : 1;
  localparam int LBJ = BJ > 1 ? $clog2(BJ) : 1;
  // add / pool: gl and accL start at 0 and step by E, which divides VI and PE_M, so lane i's
  // channel is slice i of one of VI/E groups of the word, and bank i takes lane i mod E when its
  // group is accL's — a select over groups, not a compare of every channel with gl + i
  localparam int SE = $clog2(E);

  // ---- t0: the nest and its addresses ----------------------------------------------------
  logic active;
  logic [5:0][31:0] ctrQ, ctr;
  // input: rows, kernel row, columns, kernel column (mp: sub-column v, bank offset kqb)
  logic [31:0] rowRQ, rowKQ, colCQ, colKQ, vQ, grpQ, wMgQ, wTapQ, aRowQ, aColQ, accWQ;
  logic [31:0] rowR, rowK, colC, colK, v, grp, wMg, wTap, aRow, aCol, accW;
  logic [LPN-1:0] kqbQ, kqb;
  logic [LBJ-1:0] colBQ, colB;
  logic [LVI-1:0] glQ, gl;
  logic [LPM-1:0] accLQ, accL;
  logic signed [31:0] iy0Q, ix0Q, iy0, ix0;
  logic restart, run;

  always_comb begin
    run = go || active;
    restart = go || !active;
    for (int l = 0; l < 6; l++) ctr[l] = restart ? 32'd0 : ctrQ[l];
    rowR = restart ? (kind == 2'd2 ? -padrsi : 32'd0) : rowRQ;
    rowK = restart ? 32'd0 : rowKQ;
    colC = restart ? (kind == 2'd2 ? -padngi : 32'd0) : colCQ;
    colK = restart ? 32'd0 : colKQ;
    v = restart ? 32'd0 : vQ;
    kqb = restart ? '0 : kqbQ;
    grp = restart ? 32'd0 : grpQ;
    gl = restart ? '0 : glQ;
    wMg = restart ? 32'd0 : wMgQ;
    wTap = restart ? 32'd0 : wTapQ;
    aRow = restart ? 32'd0 : aRowQ;
    aCol = restart ? 32'd0 : aColQ;
    colB = restart ? '0 : colBQ;
    accW = restart ? 32'd0 : accWQ;
    accL = restart ? '0 : accLQ;
    iy0 = restart ? -$signed(pad) : iy0Q;
    ix0 = restart ? -$signed(pad) : ix0Q;
  end

  // which levels advance: the innermost whose successors all wrap
  logic [5:0] wrapL;
  logic stall, iterLast, runFirst, runLast, tapIn;
  logic signed [31:0] iy, ix;
  always_comb begin
    for (int l = 0; l < 6; l++) wrapL[l] = ctr[l] + 32'd1 >= ext[l];
    iterLast = &wrapL;
    runFirst = ctr[3] == 32'd0 && ctr[4] == 32'd0 && ctr[5] == 32'd0;
    runLast = wrapL[3] && wrapL[4] && wrapL[5];
    iy = iy0 + $signed(ctr[4]);
    ix = ix0 + $signed(ctr[5]);
    tapIn = iy >= 0 && iy < $signed(inH) && ix >= 0 && ix < $signed(inW);
  end

  // add / pool: wait for the word of (pixel, group) — the DMA is past it once its next word is
  logic [31:0] wantA, wantB, wantC;
  logic wantS, ready;
  always_comb begin
    wantA = kind == 2'd2 ? 32'(iy) : ctr[0];
    wantB = kind == 2'd2 ? 32'(ix) : ctr[1];
    wantS = kind == 2'd1;
    wantC = grp << SVI;
    ready = !xBusy || posA > wantA || (posA == wantA && (posB > wantB || (posB == wantB && posS >= wantS && posC > wantC)));
    stall = kind != 2'd0 && run && !(kind == 2'd2 && !tapIn) && !ready;
  end

  // the nest after this iteration, and every stride it adds
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      active <= 1'b0;
      ctrQ <= '0;
      {rowRQ, rowKQ, colCQ, colKQ, vQ, grpQ, wMgQ, wTapQ, aRowQ, aColQ, accWQ} <= '0;
      {iy0Q, ix0Q} <= '0;
      kqbQ <= '0;
      colBQ <= '0;
      glQ <= '0;
      accLQ <= '0;
    end else if (run) begin
      {rowRQ, rowKQ, colCQ, colKQ, vQ, grpQ, wMgQ, wTapQ, aRowQ, aColQ, accWQ} <= {rowR, rowK, colC, colK, v, grp, wMg, wTap, aRow, aCol, accW};
      {iy0Q, ix0Q} <= {iy0, ix0};
      kqbQ <= kqb;
      colBQ <= colB;
      glQ <= gl;
      accLQ <= accL;
      ctrQ <= ctr;
      active <= 1'b1;
      if (iterLast && !stall) active <= 1'b0;
      else if (!stall) begin
        // level 5: kernel column (add: 1)
        ctrQ[5] <= wrapL[5] ? 32'd0 : ctr[5] + 32'd1;
        wTapQ <= wTap + ts;
        if (!wrapL[5]) begin
          if (MP != 0 && kind == 2'd0) begin
            if (v + 32'd1 < stride) begin
              vQ <= v + 32'd1;
              colKQ <= colK + ngi;
            end else begin
              vQ <= 32'd0;
              if (32'(kqb) + 32'd1 < 32'(PE_N)) begin
                kqbQ <= kqb + 1'b1;
                colKQ <= colK - sb1ngi;
              end else begin
                kqbQ <= '0;
                colKQ <= colK + ngi;
              end
            end
          end else colKQ <= colK + ngi;
        end else begin
          {vQ, colKQ} <= '0;
          kqbQ <= '0;
          // level 4: kernel row
          ctrQ[4] <= wrapL[4] ? 32'd0 : ctr[4] + 32'd1;
          rowKQ <= wrapL[4] ? 32'd0 : rowK + rsi;
          if (wrapL[4]) begin
            wTapQ <= 32'd0;
            // level 3: input-channel group (mn), input channel (mp), 1 (dw, add, pool)
            ctrQ[3] <= wrapL[3] ? 32'd0 : ctr[3] + 32'd1;
            if (wrapL[3]) begin
              // level 2: column (mn) or column group (mp); add and pool: channel group
              ctrQ[2] <= wrapL[2] ? 32'd0 : ctr[2] + 32'd1;
              if (kind == 2'd0) colCQ <= wrapL[2] ? 32'd0 : colC + sngi;
              if (kind == 2'd0) aColQ <= wrapL[2] ? 32'd0 : aCol + mg;
              else begin
                // next channel group: E channels on, within the input word and the acc banks
                if (wrapL[2] || 32'(gl) + 32'(E) >= 32'(VI)) begin
                  grpQ <= wrapL[2] ? 32'd0 : grp + 32'd1;
                  glQ <= '0;
                end else glQ <= LVI'(32'(gl) + 32'(E));
                if (wrapL[2] || 32'(accL) + 32'(E) >= 32'(PE_M)) begin
                  accWQ <= wrapL[2] ? 32'd0 : accW + 32'd1;
                  accLQ <= '0;
                end else accLQ <= LPM'(32'(accL) + 32'(E));
              end
              if (wrapL[2]) begin
                // level 1: row (mac), column (add / pool)
                ctrQ[1] <= wrapL[1] ? 32'd0 : ctr[1] + 32'd1;
                if (kind == 2'd0) begin
                  rowRQ <= wrapL[1] ? 32'd0 : rowR + srsi;
                  aRowQ <= wrapL[1] ? 32'd0 : aRow + accRow;
                end else begin
                  colCQ <= wrapL[1] ? (kind == 2'd2 ? -padngi : 32'd0) : colC + (kind == 2'd2 ? sngi : ngi);
                  ix0Q <= wrapL[1] ? -$signed(pad) : ix0 + $signed(stride);
                  // acc column: column bank, then the next word of MG
                  if (wrapL[1]) begin
                    colBQ <= '0;
                    aColQ <= 32'd0;
                  end else if (BJ > 1 && 32'(colB) + 32'd1 < 32'(BJ)) colBQ <= colB + 1'b1;
                  else begin
                    colBQ <= '0;
                    aColQ <= aCol + mg;
                  end
                end
                if (wrapL[1]) begin
                  // level 0: out-channel group (mac), row (add / pool)
                  ctrQ[0] <= ctr[0] + 32'd1;
                  if (kind == 2'd0) wMgQ <= wMg + ms;
                  else begin
                    rowRQ <= rowR + (kind == 2'd2 ? srsi : rsi);
                    iy0Q <= iy0 + $signed(stride);
                    aRowQ <= aRow + accRow;
                  end
                end
              end
            end
          end
        end
      end
    end
  end

  // the addresses of this iteration
  /* verilator lint_off UNUSEDSIGNAL */
  always_comb begin
    logic [31:0] base;  // the low bits address a bank
    base = rowR + rowK + colC + colK;
    for (int b = 0; b < BJ; b++) begin
      logic [31:0] a;
      if (kind != 2'd0) a = base + grp;
      else if (DW != 0) a = base + ctr[0] + (32'(b) < 32'(kqb) ? sngi : 32'd0);
      else if (MP != 0) a = base + (ctr[3] >> SVI) + (32'(b) < 32'(kqb) ? sngi : 32'd0);
      else a = base + ctr[3];
      inRa[b] = a[IA-1:0];
    end
    begin
      logic [31:0] w;
      w = wStep + wMg + wTap + (DW != 0 ? 32'd0 : MP != 0 ? ctr[3] >> $clog2(VW) : ctr[3]);
      wRa = w[WA-1:0];
    end
    begin
      logic [31:0] ac;
      ac = aRow + aCol + (kind == 2'd0 ? ctr[0] : accW);
      accRa = ac[AA-1:0];
    end
  end
  /* verilator lint_on UNUSEDSIGNAL */

  // lanes of this iteration that hold real work
  logic [PE_M-1:0] mOk;
  logic [PE_N-1:0] jOk;
  always_comb begin
    for (int i = 0; i < PE_M; i++)
      mOk[i] = kind == 2'd0 ? (ctr[0] << SPM) + 32'(i) < mi : i < E && (grp << SVI) + 32'(gl) + 32'(i) < mi;
    for (int j = 0; j < PE_N; j++) begin
      if (kind != 2'd0) jOk[j] = j == 0;
      else if (MP != 0) jOk[j] = (ctr[2] << SPN) + 32'(j) < ci;  // output column
      else if (DW != 0) jOk[j] = j == 0;
      else jOk[j] = (ctr[3] << SPN) + 32'(j) < niC;  // input channel
    end
  end

  // ---- the pipeline: t1 … t4 ---------------------------------------------------------------
  typedef struct packed {
    logic valid;
    logic last;
    logic first;
    logic runLast;
    logic init;
    logic tapIn;
    logic [1:0] kind;
    logic [LPN-1:0] kqb;
    logic [LVI-1:0] nl;
    logic [LVI-1:0] gl;
    logic [LPM-1:0] accL;
    logic [LBJ-1:0] colB;
    logic [PE_M-1:0] mOk;
    logic [PE_N-1:0] jOk;
    logic [AA-1:0] accA;
  } stage_t;
  stage_t s0, s1, s2, s3;
  /* verilator lint_off UNUSEDSIGNAL */
  stage_t s4;  // the last stage writes; it needs no operand fields
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    s0.valid = run && !stall;
    s0.last = iterLast;
    s0.first = runFirst;
    s0.runLast = runLast;
    s0.init = kind != 2'd0 || firstStep;
    s0.tapIn = kind != 2'd2 || tapIn;
    s0.kind = kind;
    s0.kqb = kqb;
    s0.nl = LVI'(ctr[3] & 32'(VI - 1));
    s0.gl = gl;
    s0.accL = accL;
    s0.colB = MP != 0 && kind == 2'd0 ? '0 : colB;
    s0.mOk = mOk;
    s0.jOk = jOk;
    s0.accA = accRa;
  end
  always_ff @(posedge clk) begin
    if (!rst_n) {s1, s2, s3, s4} <= '0;
    else {s1, s2, s3, s4} <= {s0, s1, s2, s3};
  end

  // t1: operands of every lane from the words that arrived (every select a mux over constant
  // indices: no index arithmetic for synthesis to turn into multipliers)
  logic [ACT_W-1:0] xOp[PE_M][PE_N], yOp[PE_M][PE_N];
  logic [W_W-1:0] wOp[PE_M][PE_N];
  logic [PE_M-1:0][BJ-1:0][ACC_W-1:0] acc2, acc3;
  logic [BJ-1:0][VI*ACT_W-1:0] inSel;
  logic [PE_M-1:0][VW*W_W-1:0] wSel;
  always_comb begin
    for (int b = 0; b < BJ; b++) inSel[b] = inHalfD ? inRd[1][b] : inRd[0][b];
    for (int i = 0; i < PE_M; i++) wSel[i] = WS == 0 && wHalfD ? wRd[1][i] : wRd[0][i];
  end
  // the selects shared by a column or a row, built once: the word of column j's bank (mp:
  // bank (j + kqb) mod PE_N) and, under mp, its channel nl; row i's weight (mp: channel nl);
  // add / pool: lane i's channel gl + i of both inputs
  /* verilator lint_off UNUSEDSIGNAL */
  logic [PE_N-1:0][VI*ACT_W-1:0] xWord;
  logic [PE_N-1:0][ACT_W-1:0] xChan;
  logic [PE_M-1:0][W_W-1:0] wChan;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [E-1:0][ACT_W-1:0] eltX, eltY;
  always_comb begin
    for (int j = 0; j < PE_N; j++) begin
      xWord[j] = inSel[0];
      if (MP != 0)
        for (int b = 0; b < BJ; b++) if (((j + int'(s1.kqb)) & (PE_N - 1)) == b) xWord[j] = inSel[b];
      xChan[j] = '0;
      for (int k = 0; k < VI; k++) if (32'(s1.nl) == 32'(k)) xChan[j] = xWord[j][k*ACT_W+:ACT_W];
    end
    for (int i = 0; i < PE_M; i++) begin
      wChan[i] = '0;
      for (int k = 0; k < VW; k++) if (32'(s1.nl) == 32'(k)) wChan[i] = wSel[i][k*W_W+:W_W];
    end
    for (int i = 0; i < E; i++) begin
      eltX[i] = inRd[0][0][i*ACT_W+:ACT_W];
      eltY[i] = inRd[1][0][i*ACT_W+:ACT_W];
      for (int g = 1; g < VI / E; g++) begin
        if (32'(s1.gl) >> SE == 32'(g)) begin
          eltX[i] = inRd[0][0][(g*E+i)*ACT_W+:ACT_W];
          eltY[i] = inRd[1][0][(g*E+i)*ACT_W+:ACT_W];
        end
      end
    end
  end
  // one process per lane: the operand, product and accumulator arrays are unpacked, so the
  // simulator keeps each element a plain integer (a packed 512-lane array is one wide vector,
  // every element write a masked shift); Verilator 5.006 takes no delayed assignment to an
  // unpacked array inside a procedural loop, hence the generate loops
  for (genvar i = 0; i < PE_M; i++) begin : g_op_row
    for (genvar j = 0; j < PE_N; j++) begin : g_op_lane
      logic [ACT_W-1:0] xv, yv, xMac, xElt, yElt;
      logic [W_W-1:0] wv, wMac;
      // the lane's MAC operands by the chunk's kind, its add / pool operands (lanes j = 0, i < E)
      if (DW != 0) begin : g_dw
        assign xMac = xWord[j][i*ACT_W+:ACT_W];
        assign wMac = wSel[i][W_W-1:0];
      end else if (MP != 0) begin : g_mp
        assign xMac = xChan[j];
        assign wMac = wChan[i];
      end else begin : g_mn
        assign xMac = inSel[0][(j%VI)*ACT_W+:ACT_W];
        assign wMac = wSel[i][(j%VW)*W_W+:W_W];
      end
      if (j == 0 && i < E) begin : g_elt
        // add: lane i takes channel gl + i of both inputs; pool: of its one input, weight 1
        assign xElt = eltX[i];
        assign yElt = eltY[i];
      end else begin : g_no_elt
        assign xElt = '0;
        assign yElt = '0;
      end
      always_comb begin
        xv = s1.kind == 2'd0 ? xMac : xElt;
        yv = s1.kind == 2'd0 ? '0 : yElt;
        wv = s1.kind == 2'd0 ? wMac : j == 0 && i < E ? W_W'(1) : '0;
      end
      always_ff @(posedge clk) begin
        xOp[i][j] <= s1.valid && s1.mOk[i] && s1.jOk[j] && s1.tapIn ? xv : '0;
        yOp[i][j] <= yv;
        wOp[i][j] <= wv;
      end
    end
  end
  always_ff @(posedge clk) begin
    acc2 <= accRd;
    acc3 <= acc2;
  end

  // the halves the words came from (the controller holds them for the whole step)
  logic inHalfD, wHalfD;
  always_ff @(posedge clk) begin
    inHalfD <= inHalf;
    wHalfD <= wHalf;
  end

  // t2: the multiplies
  logic [ACT_W+W_W-1:0] prod[PE_M][PE_N];
  logic [2*ACT_W-1:0] pair[PE_M][PE_N];
  for (genvar i = 0; i < PE_M; i++) begin : g_mul_row
    for (genvar j = 0; j < PE_N; j++) begin : g_mul_lane
      always_ff @(posedge clk) begin
        prod[i][j] <= $signed(xOp[i][j]) * $signed(wOp[i][j]);
        pair[i][j] <= {yOp[i][j], xOp[i][j]};
      end
    end
  end

  // t3: adder tree (mn) and accumulators
  logic [ACC_W-1:0] accR[PE_M][PE_N];
  for (genvar i = 0; i < PE_M; i++) begin : g_acc_row
    logic signed [ACC_W-1:0] sum;
    // mn: the row's sum over the input channels; mp and dw (and add, pool): only lane 0 of a
    // row carries a value the sum needs, so there is no adder tree to build
    always_comb begin
      if (MP == 0 && DW == 0) begin
        sum = '0;
        for (int j = 0; j < PE_N; j++) sum = sum + ACC_W'($signed(prod[i][j]));
      end else sum = ACC_W'($signed(prod[i][0]));
    end
    for (genvar j = 0; j < PE_N; j++) begin : g_acc_lane
      logic signed [ACC_W-1:0] add, base;
      always_comb begin
        add = MP != 0 && s3.kind == 2'd0 ? ACC_W'($signed(prod[i][j])) : sum;
        base = s3.init ? '0 : $signed(acc3[i][MP != 0 ? j % BJ : 0]);
      end
      always_ff @(posedge clk) begin
        if (s3.valid) begin
          if (s3.kind == 2'd1) accR[i][j] <= ACC_W'(pair[i][j]);
          else accR[i][j] <= (s3.first ? base : accR[i][j]) + add;
        end
      end
    end
  end

  // t4: write the run's accumulator (add / pool: lane i goes to bank accL + i)
  always_comb begin
    accWa = s4.accA;
    for (int i = 0; i < PE_M; i++) begin
      for (int b = 0; b < BJ; b++) begin
        logic hit;
        logic [ACC_W-1:0] src;
        hit = 1'b0;
        src = '0;
        if (s4.kind == 2'd0) begin
          if (MP != 0) begin
            hit = 1'b1;
            src = accR[i][b % PE_N];
          end else if (b == 0) begin
            hit = 1'b1;
            src = accR[i][0];
          end
        end else if (32'(b) == 32'(s4.colB) && 32'(s4.accL) >> SE == 32'(i >> SE)) begin
          hit = 1'b1;
          src = accR[i%E][0];
        end
        accWe[i][b] = s4.valid && s4.runLast && hit;
        accWd[i][b] = src;
      end
    end
    last = s4.valid && s4.last;
    busy = run || s1.valid || s2.valid || s3.valid || s4.valid;
  end
endmodule
