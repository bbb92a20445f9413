// trips_chunk_datapath.svh — part of trips_chunk (included): the transfers the controller
// issues, the DMA, the compute array, the output path, the banked buffers and the DRAM port.

  // ---- transfers, formed from the controller's state ---------------------------------------
  function automatic trips_pkg::xfer_t none();
    trips_pkg::xfer_t x;
    x = '0;
    x.vlen = 8'd1;
    x.sub = 8'd1;
    x.extA = 32'd1;
    x.extB = 32'd1;
    x.extC = 32'd1;
    x.segLen = 32'd1;
    none = x;
  endfunction

  // a table transfer: `count` values into the requantisation tables (tbank: by channel within
  // the group, seg words per group; else every bank the same entries)
  function automatic trips_pkg::xfer_t tableXfer(input logic [2:0] space, input logic [2:0] target, input logic [7:0] bits,
                                             input logic [31:0] base, input logic [31:0] count, input logic tb,
                                             input logic [31:0] seg, input logic [31:0] segWords);
    trips_pkg::xfer_t x;
    x = none();
    x.space = space;
    x.target = target;
    x.bits = bits;
    x.base = base;
    x.extC = count;
    x.segLen = seg;
    x.bS = segWords;
    x.tbank = tb;
    tableXfer = x;
  endfunction

  logic ldHalf, wtSel;
  logic [31:0] chOff, wtM, wtMi, nWG, nWM;
  trips_pkg::xfer_t xInBox, xWBlock, xOutTile, xElt, xWTile, xBias, xMulSh, xPerm;
  always_comb begin
    ldHalf = st == S_TSETUP ? 1'b0 : lHalf;
    chOff = dw ? m0 : gIn + (st == S_TSETUP ? 32'd0 : lStepTN);
    // ws: the tile whose weights load next (the first in S_PARAMS, the next one in S_OUT)
    wtSel = st == S_OUT;
    wtM = wtSel ? nm0 : 32'd0;
    wtMi = trips_pkg::min2(tM, M - wtM);
    nWM = !wtSel || nm0 == 32'd0 ? 32'd0 : wM + d[trips_pkg::D_TMWMS];
    nWG = !wtSel ? 32'd0 : ng != g ? wG + d[trips_pkg::D_GWMS] : wG;

    // the layer's requantisation parameters (add, pool: the multipliers of the entries it uses)
    xBias = tableXfer(trips_pkg::SP_BIAS, trips_pkg::TG_BIAS, 8'd64, rqOff, entries, 1'b1, outPer, d[trips_pkg::D_MGT]);
    xMulSh = tableXfer(trips_pkg::SP_MULSH, trips_pkg::TG_MULSH, 8'd32, mac ? rqOff : rqOff + entry0, entries, mac,
                   mac ? outPer : entries, d[trips_pkg::D_MGT]);
    xPerm = tableXfer(trips_pkg::SP_PERM, trips_pkg::TG_PERM, 8'd16, permOff, entries, 1'b1, outPer, d[trips_pkg::D_MGT]);

    // the step's input box: rows × columns × channels, zero outside the map
    xInBox = none();
    xInBox.target = trips_pkg::TG_IN;
    xInBox.bits = qi;
    xInBox.bounds = 1'b1;
    xInBox.cbank = 1'b1;
    xInBox.half = ldHalf;
    xInBox.vlen = 8'(VI);
    xInBox.sub = MP != 0 ? S[7:0] : 8'd1;
    xInBox.extA = hIn;
    xInBox.extB = wIn;
    xInBox.extC = dw ? mi : ldNi;
    xInBox.segLen = xInBox.extC;
    xInBox.base = inAddr + inRow + inCol + chOff;
    xInBox.sa = d[trips_pkg::D_SA];
    xInBox.sb = inC;
    xInBox.y0 = 32'(y0t);
    xInBox.x0 = 32'(x0t);
    xInBox.h = inH;
    xInBox.w = inW;
    xInBox.bA = d[trips_pkg::D_RSI];
    xInBox.bB = d[trips_pkg::D_NGI];
    xInBox.bBsub = d[trips_pkg::D_SB1NGI];

    // os: the step's weights, m × K² × n, [o][ky][kx][inPer] in DRAM
    xWBlock = none();
    xWBlock.space = trips_pkg::SP_WEIGHT;
    xWBlock.target = trips_pkg::TG_W;
    xWBlock.bits = qi;
    xWBlock.abank = 1'b1;
    xWBlock.half = ldHalf;
    xWBlock.vlen = 8'(VW);
    xWBlock.extA = mi;
    xWBlock.extB = K2;
    xWBlock.extC = ldNi;
    xWBlock.segLen = ldNi;
    xWBlock.base = wOff + wG + wM + (dw ? 32'd0 : st == S_TSETUP ? 32'd0 : lStepTN);
    xWBlock.sa = d[trips_pkg::D_WMS];
    xWBlock.sb = inPer;
    xWBlock.bA = d[trips_pkg::D_MS];
    xWBlock.bB = d[trips_pkg::D_TS];

    // ws: the weights of an out-channel tile for every input channel, one segment per step
    xWTile = xWBlock;
    xWTile.half = 1'b0;
    xWTile.extA = wtMi;
    xWTile.extC = N;
    xWTile.segLen = dw ? 32'd1 : trips_pkg::min2(tN, N);
    xWTile.bS = d[trips_pkg::D_NGW];
    xWTile.base = wOff + nWG + nWM;

    // writes of the tile's results, (row, column, channel) with the channel fastest
    xOutTile = none();
    xOutTile.write = 1'b1;
    xOutTile.space = raw ? trips_pkg::SP_SCORE : trips_pkg::SP_ARENA;
    xOutTile.bits = raw ? 8'd32 : qo;
    xOutTile.outMode = raw ? trips_pkg::OUT_RAW : isPool ? trips_pkg::OUT_POOL : isAdd ? trips_pkg::OUT_ADD : trips_pkg::OUT_REQUANT;
    xOutTile.perm = permEn;
    xOutTile.cbank = BJ > 1;
    xOutTile.vlen = 8'(PE_M);
    xOutTile.extA = ri;
    xOutTile.extB = ci;
    xOutTile.extC = mi;
    xOutTile.segLen = mi;
    xOutTile.base = raw ? 32'd0 : outAddr + outRow + outCol;
    xOutTile.sa = raw ? 32'd0 : d[trips_pkg::D_OSA];
    xOutTile.sb = raw ? 32'd0 : outC;
    xOutTile.bA = d[trips_pkg::D_ACCROW];
    xOutTile.bB = d[trips_pkg::D_MG];

    // add: both inputs of the tile (source 1 into half 1); pool: an out-channel tile's whole map
    xElt = none();
    xElt.target = trips_pkg::TG_IN;
    xElt.bits = qi;
    xElt.vlen = 8'(VI);
    xElt.extC = mi;
    xElt.segLen = mi;
    xElt.sa = d[trips_pkg::D_SA];
    xElt.sb = inC;
    xElt.bA = d[trips_pkg::D_RSI];
    xElt.bB = d[trips_pkg::D_NGI];
    if (isAdd) begin
      xElt.two = 1'b1;
      xElt.extA = ri;
      xElt.extB = ci;
      xElt.base = inAddr + inRow + inCol + m0;
      xElt.base2 = in2Addr + inRow + inCol + m0;
    end else begin
      xElt.extA = inH;
      xElt.extB = inW;
      xElt.base = inAddr + m0;
    end
  end

  // ---- the DMA: read requests paced by the port, words written as the answers land -----------
  logic xBusy, xLast, xBeat, xInb, xSrc, xPosS, xReq, xReqInb;
  logic [trips_pkg::XFER_BITS-1:0] xCur, xReqCur;
  /* verilator lint_off UNUSEDSIGNAL */
  trips_pkg::xfer_t xc, xr;  // the engine reads only the fields that steer words and lanes
  /* verilator lint_on UNUSEDSIGNAL */
  logic [7:0] xLen, xReqLen;
  logic [31:0] xDAddr, xWord, xSegWord, xPosA, xPosB, xPosC, xReqAddr;
  logic [$clog2(PE_M+1)-1:0] xABank;
  logic [$clog2(BJ+1)-1:0] xCBank;
  trips_xfer #(.PE_M(PE_M), .BJ(BJ)) u_xfer (
      .clk, .rst_n, .go(xGo), .nslots(xN), .slot0(xs0), .slot1(xs1), .slot2(xs2), .portFx, .busy(xBusy),
      .last(xLast), .reqReady(memReady), .req(xReq), .reqCur(xReqCur), .reqAddr(xReqAddr), .reqLen(xReqLen),
      .reqInb(xReqInb), .rspValid(memRvalid), .cur(xCur), .beat(xBeat), .len(xLen), .dAddr(xDAddr), .inb(xInb),
      .word(xWord), .aBank(xABank), .cBank(xCBank), .src(xSrc), .segWord(xSegWord), .posA(xPosA), .posB(xPosB),
      .posS(xPosS), .posC(xPosC)
  );
  assign xc = xCur;
  assign xr = xReqCur;

  // ---- compute: the step cStep on buffer half cHalf (add / pool: the tile's stream) ---------
  logic [1:0] cKind;
  logic [5:0][31:0] cExt;
  logic [31:0] mLanes, eGroups;
  always_comb begin
    cKind = isAdd ? 2'd1 : isPool ? 2'd2 : 2'd0;
    mLanes = (mi + 32'(PE_M - 1)) >> LPM;
    eGroups = (mi + 32'(E - 1)) >> $clog2(E);
    if (isPool) cExt = {K, K, 32'd1, eGroups, outW, outH};
    else if (isAdd) cExt = {32'd1, 32'd1, 32'd1, eGroups, ci, ri};
    else if (MP != 0) cExt = {K, K, dw ? 32'd1 : niC, (ci + 32'(PE_N - 1)) >> LPN, ri, mLanes};
    else cExt = {K, K, dw ? 32'd1 : (niC + 32'(PE_N - 1)) >> LPN, ci, ri, mLanes};
  end

  logic cBusy, cLast;
  logic [BJ-1:0][IA-1:0] cInRa;
  logic [WA-1:0] cWRa;
  logic [AA-1:0] cAccRa, accWa, oAccRa, accRa;
  logic [1:0][BJ-1:0][VI*ACT_W-1:0] inRd;
  logic [1:0][PE_M-1:0][VW*W_W-1:0] wRd;
  logic [PE_M-1:0][BJ-1:0][ACC_W-1:0] accRd, accWd;
  logic [PE_M-1:0][BJ-1:0] accWe;
  trips_compute #(
      .PE_M(PE_M), .PE_N(PE_N), .ACT_W(ACT_W), .W_W(W_W), .MP(MP), .WS(WS), .DW(DW), .VI(VI), .VW(VW), .E(E), .BJ(BJ), .IA(IA),
      .WA(WA), .AA(AA), .ACC_W(ACC_W)
  ) u_compute (
      .clk, .rst_n, .go(cGo), .kind(cKind), .inHalf(cHalf), .wHalf(cHalf), .firstStep(cStep == 32'd0),
      .ext(cExt), .mi, .ci, .niC, .stride(S), .pad, .inH, .inW, .rsi(d[trips_pkg::D_RSI]), .ngi(d[trips_pkg::D_NGI]),
      .srsi(d[trips_pkg::D_SRSI]), .sngi(d[trips_pkg::D_SNGI]), .sb1ngi(d[trips_pkg::D_SB1NGI]),
      .padrsi(d[trips_pkg::D_PADRSI]), .padngi(d[trips_pkg::D_PADNGI]), .ts(d[trips_pkg::D_TS]), .ms(d[trips_pkg::D_MS]),
      .wStep(WS != 0 ? cStepNGW : 32'd0), .mg(d[trips_pkg::D_MG]), .accRow(d[trips_pkg::D_ACCROW]), .xBusy,
      .posA(xPosA), .posB(xPosB), .posS(xPosS), .posC(xPosC), .inRa(cInRa), .wRa(cWRa), .accRa(cAccRa), .inRd, .wRd,
      .accRd, .accWe, .accWa, .accWd, .busy(cBusy), .last(cLast)
  );

  // ---- output path ---------------------------------------------------------------------------
  logic [PE_M-1:0][TA-1:0] tabRa;
  logic [PE_M-1:0][63:0] biasRd;
  logic [PE_M-1:0][29:0] mulShRd;
  logic [PE_M-1:0][15:0] permRd;
  logic signed [23:0] mul0, mul1;
  logic [5:0] shift0;
  /* verilator lint_off UNUSEDSIGNAL */
  logic oBusy;  // the controller waits for oDone; busy is for a system top's status
  /* verilator lint_on UNUSEDSIGNAL */
  logic oDone, oMemWe;
  logic [2:0] oMemSpace;
  logic [LANES-1:0] oMemValid;
  logic [LANES-1:0][31:0] oMemAddr;
  logic [LANES-1:0][63:0] oMemWdata;
  trips_outpath #(
      .PE_M(PE_M), .BJ(BJ), .LANES(LANES), .ACT_W(ACT_W), .AA(AA), .TA(TA), .ACC_W(ACC_W), .ROT(ROT)
  ) u_out (
      .clk, .rst_n, .beat(xBeat && xc.write), .lastWord(xLast), .mode(xc.outMode), .perm(xc.perm), .space(xc.space),
      .len(xLen), .dAddr(xDAddr), .chan(xPosC), .word(xWord), .cBank(xCBank), .segWord(xSegWord), .coff(outCh), .tBase, .tRot,
      .oy(xPosA), .ox(xPosB), .kernel(K), .stride(S), .pad, .inH, .inW, .entry0, .lo, .hi, .mul0, .mul1, .shift0,
      .accRa(oAccRa), .tabRa, .accRd, .biasRd, .mulShRd, .permRd, .busy(oBusy), .done(oDone), .memWe(oMemWe),
      .memSpace(oMemSpace), .memValid(oMemValid), .memAddr(oMemAddr), .memWdata(oMemWdata)
  );

  // ---- the DRAM port: a read request of the DMA (a padding word's with no lane), or a write
  // word of the output path; the answers (memRvalid, memRdata) in the order of the requests
  always_comb begin
    memWe = oMemWe;
    memReq = !oMemWe && xReq;
    memSpace = oMemWe ? oMemSpace : xr.space;
    memBits = oMemWe ? xc.bits : xr.bits;
    for (int j = 0; j < LANES; j++) begin
      memValid[j] = oMemWe ? oMemValid[j] : xReq && xReqInb && 32'(j) < 32'(xReqLen);
      memAddr[j] = oMemWe ? oMemAddr[j] : xReqAddr + 32'(j);
      memWdata[j] = oMemWdata[j];
    end
  end

  // ---- buffers: one write word per cycle from the DMA (accumulators: from the compute) -----
  logic rdBeat;
  logic [VI*ACT_W-1:0] inWd;
  logic [VW*W_W-1:0] wWd;
  logic [31:0] segOff;
  logic [IA-1:0] inWa;
  logic [WA-1:0] wWa;
  logic [TA-1:0] tabWa;
  always_comb begin
    rdBeat = xBeat && !xc.write;
    for (int j = 0; j < VI; j++) inWd[j*ACT_W+:ACT_W] = xInb && 32'(j) < 32'(xLen) ? memRdata[j%LANES][ACT_W-1:0] : '0;
    for (int j = 0; j < VW; j++) wWd[j*W_W+:W_W] = 32'(j) < 32'(xLen) ? memRdata[j%LANES][W_W-1:0] : '0;
    segOff = xWord - xSegWord;
    inWa = xWord[IA-1:0];
    wWa = xWord[WA-1:0];
    tabWa = xc.tbank ? TA'(segOff + (xSegWord >> LPM)) : TA'(xWord);
    accRa = st == S_OUT ? oAccRa : cAccRa;
  end

  for (genvar h = 0; h < 2; h++) begin : g_in_half
    for (genvar b = 0; b < BJ; b++) begin : g_in_bank
      logic we;
      assign we = rdBeat && xc.target == trips_pkg::TG_IN && (xc.half ^ xSrc) == h[0] && (!xc.cbank ? b == 0 : 32'(xCBank) == b);
      trips_ram #(.WIDTH(VI * ACT_W), .DEPTH(IN_DEPTH), .BLOCK(IN_BLOCK)) u_ram (
          .clk, .we, .wa(inWa), .wd(inWd), .ra(cInRa[b]), .rd(inRd[h][b])
      );
    end
  end
  logic [WCOPIES-1:0][PE_M-1:0][VW*W_W-1:0] wCopy;
  for (genvar c = 0; c < WCOPIES; c++) begin : g_w_copy
    for (genvar i = 0; i < PE_M; i++) begin : g_w_bank
      logic we;
      assign we = rdBeat && xc.target == trips_pkg::TG_W && (WS != 0 || xc.half == c[0]) && 32'(xABank) == i;
      trips_ram #(.WIDTH(VW * W_W), .DEPTH(W_DEPTH), .BLOCK(W_BLOCK)) u_ram (
          .clk, .we, .wa(wWa), .wd(wWd), .ra(cWRa), .rd(wCopy[c][i])
      );
    end
  end
  // ws: one copy, seen as both halves
  assign wRd[0] = wCopy[0];
  assign wRd[1] = wCopy[WCOPIES-1];
  for (genvar i = 0; i < PE_M; i++) begin : g_acc_row
    for (genvar b = 0; b < BJ; b++) begin : g_acc_col
      trips_ram #(.WIDTH(ACC_W), .DEPTH(ACC_DEPTH), .BLOCK(ACC_BLOCK)) u_ram (
          .clk, .we(accWe[i][b]), .wa(accWa), .wd(accWd[i][b]), .ra(accRa), .rd(accRd[i][b])
      );
    end
  end
  for (genvar i = 0; i < PE_M; i++) begin : g_tab
    logic hit;
    assign hit = rdBeat && (!xc.tbank || (xSegWord & 32'(PE_M - 1)) == i);
    trips_ram #(.WIDTH(64), .DEPTH(RQ_DEPTH), .BLOCK(RQ_BLOCK)) u_bias (
        .clk, .we(hit && xc.target == trips_pkg::TG_BIAS), .wa(tabWa), .wd(memRdata[0]), .ra(tabRa[i]), .rd(biasRd[i])
    );
    trips_ram #(.WIDTH(30), .DEPTH(RQ_DEPTH), .BLOCK(RQ_BLOCK)) u_mulsh (
        .clk, .we(hit && xc.target == trips_pkg::TG_MULSH), .wa(tabWa), .wd({memRdata[0][37:32], memRdata[0][23:0]}),
        .ra(tabRa[i]), .rd(mulShRd[i])
    );
    trips_ram #(.WIDTH(16), .DEPTH(RQ_DEPTH), .BLOCK(RQ_BLOCK)) u_perm (
        .clk, .we(hit && xc.target == trips_pkg::TG_PERM), .wa(tabWa), .wd(memRdata[0][15:0]), .ra(tabRa[i]), .rd(permRd[i])
    );
  end

  // add: the two input multipliers and the shift, kept in registers
  always_ff @(posedge clk) begin
    if (rdBeat && xc.target == trips_pkg::TG_MULSH && !xc.tbank) begin
      if (xWord == 32'd0) begin
        mul0 <= $signed(memRdata[0][23:0]);
        shift0 <= memRdata[0][37:32];
      end
      if (xWord == 32'd1) mul1 <= $signed(memRdata[0][23:0]);
    end
  end
