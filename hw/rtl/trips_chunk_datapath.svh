// trips_chunk_datapath.svh — part of trips_chunk (included): the compute array and its
// configuration for the current phase, the output path, buffer writes and the DRAM port.

  // ---- compute: the step cStep on buffer half cHalf (add / pool: the tile's stream) ---------
  logic [1:0] cKind;
  logic [5:0][31:0] cExt;
  logic [31:0] cInBase, cBoxN, cWBase, cWStrideM, cWStrideK, loaded, mLanes;
  always_comb begin
    cKind = isAdd ? 2'd1 : isPool ? 2'd2 : 2'd0;
    mLanes = 32'(cdiv(int'(mi), int'(peM)));
    if (isPool) cExt = {32'd1, mLanes, K, K, outW, outH};
    else if (isAdd) cExt = {32'd1, 32'd1, 32'd1, mLanes, ci, ri};
    else if (mp) cExt = {K, K, dw ? 32'd1 : niC, 32'(cdiv(int'(ci), int'(peN))), ri, mLanes};
    else cExt = {K, K, dw ? 32'd1 : 32'(cdiv(int'(niC), int'(peN))), ci, ri, mLanes};
    cInBase = mac && cHalf ? 32'(IN_HALF) : 32'd0;
    cBoxN = dw ? mi : niC;
    cWBase = ws ? (dw ? 32'd0 : cStep * tN) : (cHalf ? 32'(W_HALF) : 32'd0);
    cWStrideM = ws ? K2 * inPer : K2 * niC;
    cWStrideK = ws ? inPer : niC;
    loaded = xBusy ? lIndex[0] : 32'hffff_ffff;
  end

  logic [PE_M-1:0][PE_N-1:0] accWe;
  logic [PE_M-1:0][PE_N-1:0][31:0] accIdx, accVal;
  trips_compute #(
      .PE_M(PE_M), .PE_N(PE_N), .ACT_W(ACT_W), .W_W(W_W), .IN_WORDS(IN_WORDS), .W_WORDS(W_WORDS), .ACC_WORDS(ACC_WORDS)
  ) u_compute (
      .clk, .rst_n, .go(cGo), .kind(cKind), .mp, .dw, .ext(cExt), .peM, .peN, .mi, .ni(niC), .ci,
      .kernel(K), .stride(S), .pad, .inH, .inW, .inBase(cInBase), .boxW(wIn), .boxN(cBoxN), .wBase(cWBase),
      .wStrideM(cWStrideM), .wStrideK(cWStrideK), .firstStep(cStep == 32'd0), .loaded, .mul0(rqMul[0]),
      .mul1(rqMul[1]), .shift0(rqShift[0]), .lo, .hi, .inbuf, .wbuf, .acc, .busy(cBusy), .last(cLast), .accWe,
      .accIdx, .accVal
  );

  // ---- output path: requantise the write lanes --------------------------------------------
  logic [LANES-1:0][63:0] oData;
  logic [LANES-1:0][31:0] oAddr;
  trips_outpath #(.LANES(LANES), .ACC_WORDS(ACC_WORDS), .RQ_WORDS(RQ_WORDS)) u_out (
      .mode(xc.outMode), .perm(xc.perm), .laneIndex(lIndex), .laneA(lA), .laneB(lB), .laneChan(lChan),
      .laneAddr(lAddr), .kernel(K), .stride(S), .pad, .inH, .inW, .lo, .hi, .acc, .rqBias, .rqMul, .rqShift,
      .permTab, .entry0, .data(oData), .addr(oAddr)
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
          TG_IN: inbuf[at[$clog2(IN_WORDS)-1:0]] <= v[ACT_W-1:0];
          TG_W: wbuf[at[$clog2(W_WORDS)-1:0]] <= v[W_W-1:0];
          TG_BIAS: rqBias[at[$clog2(RQ_WORDS)-1:0]] <= v;
          TG_MULSH: begin
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
