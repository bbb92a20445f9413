// trips_chunk_datapath.svh — part of trips_chunk (included): the compute array and its
// configuration for the current phase, the output path, buffer writes and the DRAM port.

  // ---- compute: the step cStep on buffer half cHalf (add / pool: the tile's stream) ---------
  logic [1:0] cKind;
  logic [5:0][31:0] cExt;
  logic [31:0] cInBase, cBoxN, cWBase, cWStrideM, cWStrideK, loaded, mLanes;
  always_comb begin
    cKind = isAdd ? 2'd1 : isPool ? 2'd2 : 2'd0;
    mLanes = trips_pkg::cdiv(mi, peM);
    if (isPool) cExt = {32'd1, mLanes, K, K, outW, outH};
    else if (isAdd) cExt = {32'd1, 32'd1, 32'd1, mLanes, ci, ri};
    else if (mp) cExt = {K, K, dw ? 32'd1 : niC, trips_pkg::cdiv(ci, peN), ri, mLanes};
    else cExt = {K, K, dw ? 32'd1 : trips_pkg::cdiv(niC, peN), ci, ri, mLanes};
    cInBase = mac && cHalf ? 32'(IN_HALF) : 32'd0;
    cBoxN = dw ? mi : niC;
    cWBase = ws ? (dw ? 32'd0 : cStep * tN) : (cHalf ? 32'(W_HALF) : 32'd0);
    cWStrideM = ws ? K2 * inPer : K2 * niC;
    cWStrideK = ws ? inPer : niC;
    loaded = xBusy ? lIndex[0] : 32'hffff_ffff;
  end

  logic [PE_M-1:0][PE_N-1:0] accWe;
  logic [PE_M-1:0][PE_N-1:0][31:0] accIdx, accVal, accData, xAddr, xAddr2, wAddr;
  logic [PE_M-1:0][PE_N-1:0][ACT_W-1:0] xData, xData2;
  logic [PE_M-1:0][PE_N-1:0][W_W-1:0] wData;
  always_comb begin
    for (int i = 0; i < PE_M; i++) begin
      for (int j = 0; j < PE_N; j++) begin
        xData[i][j] = inbuf[xAddr[i][j][$clog2(IN_WORDS)-1:0]];
        xData2[i][j] = inbuf[xAddr2[i][j][$clog2(IN_WORDS)-1:0]];
        wData[i][j] = wbuf[wAddr[i][j][$clog2(W_WORDS)-1:0]];
        accData[i][j] = acc[accIdx[i][j][$clog2(ACC_WORDS)-1:0]];
      end
    end
  end
  trips_compute #(.PE_M(PE_M), .PE_N(PE_N), .ACT_W(ACT_W), .W_W(W_W)) u_compute (
      .clk, .rst_n, .go(cGo), .kind(cKind), .mp, .dw, .ext(cExt), .peM, .peN, .mi, .ni(niC), .ci,
      .kernel(K), .stride(S), .pad, .inH, .inW, .inBase(cInBase), .boxW(wIn), .boxN(cBoxN), .wBase(cWBase),
      .wStrideM(cWStrideM), .wStrideK(cWStrideK), .firstStep(cStep == 32'd0), .loaded, .mul0(rqMul[0]),
      .mul1(rqMul[1]), .shift0(rqShift[0]), .lo, .hi, .xAddr, .xAddr2, .wAddr, .xData, .xData2, .wData, .accData, .busy(cBusy), .last(cLast), .accWe,
      .accIdx, .accVal
  );

  // ---- output path: requantise the write lanes --------------------------------------------
  logic [LANES-1:0][63:0] oData, oBias;
  logic [LANES-1:0][31:0] oAddr, oEntry, oAcc, oMul;
  logic [LANES-1:0][7:0] oShift;
  logic [LANES-1:0][15:0] oPerm;
  always_comb begin
    for (int j = 0; j < LANES; j++) begin
      oAcc[j] = acc[lIndex[j][$clog2(ACC_WORDS)-1:0]];
      oBias[j] = rqBias[oEntry[j][$clog2(RQ_WORDS)-1:0]];
      oMul[j] = rqMul[oEntry[j][$clog2(RQ_WORDS)-1:0]];
      oShift[j] = rqShift[oEntry[j][$clog2(RQ_WORDS)-1:0]];
      oPerm[j] = permTab[lChan[j][$clog2(RQ_WORDS)-1:0]];
    end
  end
  trips_outpath #(.LANES(LANES)) u_out (
      .mode(xc.outMode), .perm(xc.perm), .laneA(lA), .laneB(lB), .laneChan(lChan), .laneAddr(lAddr), .kernel(K),
      .stride(S), .pad, .inH, .inW, .lo, .hi, .entry(oEntry), .accV(oAcc), .biasV(oBias), .mulV(oMul),
      .shiftV(oShift), .permV(oPerm), .entry0, .data(oData), .addr(oAddr)
  );

  // ---- the DRAM port: lanes of one beat, P bits of payload per cycle ------------------------
  always_comb begin
    memWe = xBusy && xc.write;
    memSpace = xc.space;
    for (int j = 0; j < LANES; j++) begin
      memValid[j] = lValid[j] && (xc.write || lInb[j]);
      memAddr[j] = xc.write ? oAddr[j] : lAddr[j] + lChan[j];
      memWdata[j] = oData[j];
    end
  end

  // ---- buffer writes: DMA read lanes and accumulator updates (one write port per lane) ----
  for (genvar j = 0; j < LANES; j++) begin : g_dma_write
    /* verilator lint_off UNUSEDSIGNAL */
    logic [31:0] at;  // buffer index: the low bits address the buffer
    logic [63:0] v;
    /* verilator lint_on UNUSEDSIGNAL */
    assign at = xc.bufBase + lIndex[j];
    assign v = lInb[j] ? memRdata[j] : 64'd0;
    always_ff @(posedge clk) begin
      if (lValid[j] && !xc.write) begin
        case (xc.target)
          trips_pkg::TG_IN: inbuf[at[$clog2(IN_WORDS)-1:0]] <= v[ACT_W-1:0];
          trips_pkg::TG_W: wbuf[at[$clog2(W_WORDS)-1:0]] <= v[W_W-1:0];
          trips_pkg::TG_BIAS: rqBias[at[$clog2(RQ_WORDS)-1:0]] <= v;
          trips_pkg::TG_MULSH: begin
            rqMul[at[$clog2(RQ_WORDS)-1:0]] <= v[31:0];
            rqShift[at[$clog2(RQ_WORDS)-1:0]] <= v[39:32];
          end
          default: permTab[at[$clog2(RQ_WORDS)-1:0]] <= v[15:0];
        endcase
      end
    end
  end
  for (genvar i = 0; i < PE_M; i++) begin : g_acc_row
    for (genvar j = 0; j < PE_N; j++) begin : g_acc_col
      always_ff @(posedge clk) if (accWe[i][j]) acc[accIdx[i][j][$clog2(ACC_WORDS)-1:0]] <= accVal[i][j];
    end
  end
