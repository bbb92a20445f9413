// trips_sync.sv — the synchronisation of a trips_accel system top (docs/rtl.md §9): every chunk
// runs its layer program once per *pass*, and in pass t a layer of stage s processes image
// t − s (a modulo schedule: a layer whose input comes from another chunk sits one stage later
// than its producer, so the chunks work on different images at once). A pass in which a layer
// has no image (t − s outside [0, images)) skips it. Before a layer runs, its inputs must be done
// for its image: a per-layer done counter (the images the layer has finished — a layer runs its
// images in order, so its next image is that count) is compared with its producers' counters and,
// for a layer that reads the input image, with the host's `imagesReady`. Each image has a slot of
// DRAM (a ring of NSLOTS), and a layer's accesses to the activation arena and the scores go to its
// image's slot: the offsets advance with each image a layer finishes. The host writes image j's
// input only after image j − NSLOTS is done (its last layer, which every layer feeds, has
// finished), so no slot is overwritten while it is read.
module trips_sync #(
    parameter int NCH = 1,
    parameter int NL = 1,
    parameter int SMAX = 0,
    // per layer l, at bits [16·l +: 16] (CHUNK: [8·l +: 8]); a dependency 16'hFFFF is none,
    // 16'hFFFE the input image
    parameter logic [NL*8-1:0] CHUNK = '0,
    parameter logic [NL*16-1:0] STAGE = '0,
    parameter logic [NL*16-1:0] DEP0 = '0,
    parameter logic [NL*16-1:0] DEP1 = '0,
    // words of one image's slot in the arena and in the scores, and of the ring of slots
    parameter int SLOT_WORDS = 1,
    parameter int SCORE_WORDS = 1,
    parameter int NSLOTS = 1
) (
    input logic clk,
    input logic rst_n,
    input logic start,
    input logic [31:0] images,
    input logic [31:0] imagesReady,
    output logic busy,
    output logic [31:0] imagesDone,
    // an image's last layer done (a pulse); per layer its cycles, go to done, of its last image
    output logic imageDone,
    output logic [NL-1:0][31:0] layerCycles,
    // per chunk: its engine's program control and layer hold
    output logic [NCH-1:0] cStart,
    input logic [NCH-1:0] cRunning,
    input logic [NCH-1:0] cReq,
    input logic [NCH-1:0][31:0] cLayer,
    input logic [NCH-1:0] cLayerDone,
    output logic [NCH-1:0] cGo,
    output logic [NCH-1:0] cSkip,
    output logic [NCH-1:0][31:0] cArenaOff,
    output logic [NCH-1:0][31:0] cScoreOff,
    // what each chunk does: its pass, the image of its layer (of the one it asks for while it
    // waits), a layer done that counted
    output logic [NCH-1:0][31:0] cPass,
    output logic [NCH-1:0][31:0] cImage,
    output logic [NCH-1:0] cCounted
);
  localparam logic [15:0] NONE = 16'hffff;
  localparam logic [15:0] INPUT = 16'hfffe;
  localparam logic [31:0] RING = 32'(NSLOTS * SLOT_WORDS);
  localparam logic [31:0] SCORE_RING = 32'(NSLOTS * SCORE_WORDS);

  logic [NL-1:0][31:0] done, off, sOff;
  logic [NCH-1:0][31:0] pass;
  logic [NCH-1:0] needStart, runQ, skipQ;
  logic [NCH-1:0][31:0] imgQ, arenaQ, scoreQ;
  logic [31:0] passes, now;
  logic [NCH-1:0][31:0] goAt;
  assign passes = images + 32'(SMAX);

  // per layer: does its chunk's pass hold an image for it, and are its inputs done for that image
  logic [NL-1:0] valid, ready;
  for (genvar l = 0; l < NL; l++) begin : g_layer
    localparam int C = int'(CHUNK[8*l+:8]);
    localparam logic [31:0] S = 32'(STAGE[16*l+:16]);
    localparam logic [15:0] D0 = DEP0[16*l+:16];
    localparam logic [15:0] D1 = DEP1[16*l+:16];
    // each of its (at most two) inputs: none, the input image, or a layer's counter
    logic [1:0] ok;
    for (genvar k = 0; k < 2; k++) begin : g_dep
      localparam logic [15:0] D = k == 0 ? D0 : D1;
      if (D == NONE) begin : g_none
        assign ok[k] = 1'b1;
      end else if (D == INPUT) begin : g_input
        assign ok[k] = imagesReady > done[l];
      end else begin : g_layer
        assign ok[k] = done[int'(D)] > done[l];
      end
    end
    /* verilator lint_off UNSIGNED */
    assign valid[l] = pass[C] >= S && pass[C] - S < images;
    /* verilator lint_on UNSIGNED */
    assign ready[l] = valid[l] && ok == 2'b11;
    always_ff @(posedge clk) begin
      if (!rst_n || (start && !busy)) begin
        done[l] <= '0;
        off[l] <= '0;
        sOff[l] <= '0;
        layerCycles[l] <= '0;
      end else if (cLayerDone[C] && cLayer[C] == 32'(l) && !skipQ[C]) begin
        done[l] <= done[l] + 32'd1;
        layerCycles[l] <= now - goAt[C] + 32'd1;
        off[l] <= off[l] + 32'(SLOT_WORDS) == RING ? 32'd0 : off[l] + 32'(SLOT_WORDS);
        sOff[l] <= sOff[l] + 32'(SCORE_WORDS) == SCORE_RING ? 32'd0 : sOff[l] + 32'(SCORE_WORDS);
      end
    end
  end

  // per chunk: the requested layer's verdict (a mux over the chunk's own layers)
  logic [NCH-1:0][31:0] reqImg, reqOff, reqSOff;
  always_comb begin
    cGo = '0;
    cSkip = '0;
    reqImg = '0;
    reqOff = '0;
    reqSOff = '0;
    for (int l = 0; l < NL; l++) begin
      if (cLayer[int'(CHUNK[8*l+:8])] == 32'(l)) begin
        cGo[int'(CHUNK[8*l+:8])] = ready[l];
        cSkip[int'(CHUNK[8*l+:8])] = !valid[l];
        reqImg[int'(CHUNK[8*l+:8])] = done[l];
        reqOff[int'(CHUNK[8*l+:8])] = off[l];
        reqSOff[int'(CHUNK[8*l+:8])] = sOff[l];
      end
    end
    cGo = cGo & cReq;
    cSkip = cSkip & cReq;
    for (int c = 0; c < NCH; c++) cStart[c] = needStart[c] && !cRunning[c];
    cArenaOff = arenaQ;
    cScoreOff = scoreQ;
    cPass = pass;
    cImage = imgQ;
    for (int c = 0; c < NCH; c++) if (cReq[c]) cImage[c] = reqImg[c];
    cCounted = cLayerDone & ~skipQ;
    imagesDone = done[NL-1];
    imageDone = cLayerDone[int'(CHUNK[8*(NL-1)+:8])] && cLayer[int'(CHUNK[8*(NL-1)+:8])] == 32'(NL - 1) &&
        !skipQ[int'(CHUNK[8*(NL-1)+:8])];
  end

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      busy <= 1'b0;
      needStart <= '0;
      runQ <= '0;
      skipQ <= '0;
      pass <= '0;
      imgQ <= '0;
      arenaQ <= '0;
      scoreQ <= '0;
      now <= '0;
      goAt <= '0;
    end else begin
      now <= now + 32'd1;
      runQ <= cRunning;
      if (start && !busy) begin
        busy <= images != 32'd0;
        needStart <= images != 32'd0 ? '1 : '0;
        pass <= '0;
      end else begin
        for (int c = 0; c < NCH; c++) begin
          if (cStart[c]) needStart[c] <= 1'b0;
          // the program's pass is over: the next one, until every image has passed every stage
          if (runQ[c] && !cRunning[c]) begin
            pass[c] <= pass[c] + 32'd1;
            if (pass[c] + 32'd1 < passes) needStart[c] <= 1'b1;
          end
          if (cGo[c]) begin
            goAt[c] <= now;
            skipQ[c] <= 1'b0;
            imgQ[c] <= reqImg[c];
            arenaQ[c] <= reqOff[c];
            scoreQ[c] <= reqSOff[c];
          end else if (cSkip[c]) skipQ[c] <= 1'b1;
        end
        if (needStart == '0 && runQ == '0 && cRunning == '0 && !start) busy <= 1'b0;
      end
    end
  end
endmodule
