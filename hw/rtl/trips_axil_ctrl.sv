// trips_axil_ctrl.sv — the accelerator's control registers on an AXI4-Lite slave (docs/rtl.md
// §8 has the map): the host writes where the data lives and how many images to run, starts the
// run, and reads status, the images finished, the run's cycles and each layer's cycles of the
// last image. Write address and data are taken in either order (or together) and answered once
// both are in; a read or write outside the map, or a write to a read-only register, is answered
// SLVERR and changes nothing, as is an address that is not a multiple of 4. Byte strobes apply
// to every writable register.
module trips_axil_ctrl #(
    parameter int NLAYERS = 1,
    // the design's hash (its first 32 bits), so a driver can tell it talks to the design it knows
    parameter logic [31:0] DESIGN = 32'h0
) (
    input logic clk,
    input logic rst_n,
    input logic [11:0] s_axil_awaddr,
    input logic s_axil_awvalid,
    output logic s_axil_awready,
    input logic [31:0] s_axil_wdata,
    input logic [3:0] s_axil_wstrb,
    input logic s_axil_wvalid,
    output logic s_axil_wready,
    output logic [1:0] s_axil_bresp,
    output logic s_axil_bvalid,
    input logic s_axil_bready,
    input logic [11:0] s_axil_araddr,
    input logic s_axil_arvalid,
    output logic s_axil_arready,
    output logic [31:0] s_axil_rdata,
    output logic [1:0] s_axil_rresp,
    output logic s_axil_rvalid,
    input logic s_axil_rready,
    // to the system: one cycle of start, and what it runs on
    output logic start,
    output logic [31:0] images,
    output logic [31:0] arenaBase,
    output logic [31:0] weightBase,
    output logic [31:0] scoreBase,
    // the inputs the host has written since START (its doorbell: image j runs once j < inputs)
    output logic [31:0] inputs,
    // from the system: running, an image finished, the run finished, an error and its code
    input logic busy,
    input logic imageDone,
    input logic runDone,
    input logic error,
    input logic [31:0] errorCode,
    input logic [NLAYERS-1:0][31:0] layerCycles
);
  localparam logic [31:0] MAGIC = 32'h5452_4950;  // "TRIP"
  localparam logic [11:0] A_ID = 12'h000, A_VERSION = 12'h004, A_DESIGN = 12'h008, A_CTRL = 12'h00c;
  localparam logic [11:0] A_STATUS = 12'h010, A_IMAGES = 12'h014, A_DONE = 12'h018, A_CYC_LO = 12'h01c;
  localparam logic [11:0] A_CYC_HI = 12'h020, A_ERROR = 12'h024, A_ARENA = 12'h028, A_WEIGHT = 12'h02c;
  localparam logic [11:0] A_SCORE = 12'h030, A_LAYERS = 12'h034, A_INPUTS = 12'h038, A_LAYER0 = 12'h100;
  localparam logic [1:0] OKAY = 2'b00, SLVERR = 2'b10;

  logic doneQ, errQ;
  logic [31:0] imagesDone, errorQ;
  logic [63:0] cycles;

  // ---- writes: address and data held until both are in and the response is free
  logic awHeld, wHeld;
  logic [11:0] awAddr;
  logic [31:0] wData;
  logic [3:0] wStrb;
  logic doWrite;
  always_comb begin
    s_axil_awready = !awHeld;
    s_axil_wready = !wHeld;
    doWrite = awHeld && wHeld && (!s_axil_bvalid || s_axil_bready);
  end
  function automatic logic [31:0] merged(input logic [31:0] old, input logic [31:0] d, input logic [3:0] strb);
    merged = old;
    for (int b = 0; b < 4; b++) if (strb[b]) merged[b*8+:8] = d[b*8+:8];
  endfunction
  logic writable;
  always_comb begin
    case (awAddr)
      A_CTRL, A_IMAGES, A_ARENA, A_WEIGHT, A_SCORE, A_INPUTS: writable = 1'b1;
      default: writable = 1'b0;
    endcase
  end
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      awHeld <= 1'b0;
      wHeld <= 1'b0;
      awAddr <= '0;
      wData <= '0;
      wStrb <= '0;
      s_axil_bvalid <= 1'b0;
      s_axil_bresp <= OKAY;
      images <= 32'd1;
      arenaBase <= '0;
      weightBase <= '0;
      scoreBase <= '0;
      inputs <= '0;
      start <= 1'b0;
    end else begin
      start <= 1'b0;
      if (start) inputs <= '0;
      if (s_axil_awvalid && s_axil_awready) begin
        awHeld <= 1'b1;
        awAddr <= s_axil_awaddr;
      end
      if (s_axil_wvalid && s_axil_wready) begin
        wHeld <= 1'b1;
        wData <= s_axil_wdata;
        wStrb <= s_axil_wstrb;
      end
      if (s_axil_bvalid && s_axil_bready) s_axil_bvalid <= 1'b0;
      if (doWrite) begin
        awHeld <= 1'b0;
        wHeld <= 1'b0;
        s_axil_bvalid <= 1'b1;
        s_axil_bresp <= writable ? OKAY : SLVERR;
        case (awAddr)
          // START only when idle; CLEAR (bit 1) is handled with the status below
          A_CTRL: start <= wStrb[0] && wData[0] && !busy;
          A_IMAGES: images <= merged(images, wData, wStrb);
          A_ARENA: arenaBase <= merged(arenaBase, wData, wStrb);
          A_WEIGHT: weightBase <= merged(weightBase, wData, wStrb);
          A_SCORE: scoreBase <= merged(scoreBase, wData, wStrb);
          A_INPUTS: inputs <= merged(inputs, wData, wStrb);
          default: ;
        endcase
      end
    end
  end
  logic clear;
  assign clear = doWrite && awAddr == A_CTRL && wStrb[0] && wData[1];

  // ---- the run's status
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      doneQ <= 1'b0;
      errQ <= 1'b0;
      errorQ <= '0;
      imagesDone <= '0;
      cycles <= '0;
    end else begin
      if (start) begin
        doneQ <= 1'b0;
        imagesDone <= '0;
        cycles <= '0;
      end else begin
        if (busy) cycles <= cycles + 64'd1;
        if (imageDone) imagesDone <= imagesDone + 32'd1;
        if (runDone) doneQ <= 1'b1;
      end
      if (error && !errQ) begin
        errQ <= 1'b1;
        errorQ <= errorCode;
      end
      if (clear) begin
        doneQ <= 1'b0;
        errQ <= 1'b0;
        errorQ <= '0;
      end
    end
  end

  // ---- reads: one at a time, the data registered
  logic [31:0] rd;
  logic rdOk;
  logic [11:0] ra;
  always_comb begin
    s_axil_arready = !s_axil_rvalid;
    ra = s_axil_araddr;
    rdOk = 1'b1;
    rd = '0;
    case (ra)
      A_ID: rd = MAGIC;
      A_VERSION: rd = 32'd1;
      A_DESIGN: rd = DESIGN;
      A_CTRL: rd = '0;
      A_STATUS: rd = {29'd0, errQ, doneQ, busy};
      A_IMAGES: rd = images;
      A_DONE: rd = imagesDone;
      A_CYC_LO: rd = cycles[31:0];
      A_CYC_HI: rd = cycles[63:32];
      A_ERROR: rd = errorQ;
      A_ARENA: rd = arenaBase;
      A_WEIGHT: rd = weightBase;
      A_SCORE: rd = scoreBase;
      A_LAYERS: rd = 32'(NLAYERS);
      A_INPUTS: rd = inputs;
      default: begin
        rdOk = 1'b0;
        for (int k = 0; k < NLAYERS; k++) begin
          if (ra == A_LAYER0 + 12'(4 * k)) begin
            rd = layerCycles[k];
            rdOk = 1'b1;
          end
        end
      end
    endcase
  end
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      s_axil_rvalid <= 1'b0;
      s_axil_rdata <= '0;
      s_axil_rresp <= OKAY;
    end else begin
      if (s_axil_rvalid && s_axil_rready) s_axil_rvalid <= 1'b0;
      if (s_axil_arvalid && s_axil_arready) begin
        s_axil_rvalid <= 1'b1;
        s_axil_rdata <= rd;
        s_axil_rresp <= rdOk ? OKAY : SLVERR;
      end
    end
  end
endmodule
