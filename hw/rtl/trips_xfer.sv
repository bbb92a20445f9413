// trips_xfer.sv — the DMA of a chunk: runs a chain of up to three transfers (xfer_t) back to
// back through the one DRAM port. The port moves `portFx`/2^16 bits per cycle (the effective
// port width of the cost model, possibly fractional when the chunks share the DRAM); value i
// of a transfer of q-bit values completes in the beat where its last bit arrives, so a
// transfer takes exactly ⌈count·q / P⌉ cycles (docs/cost-model.md). Each cycle the values
// completed are presented as lanes (index, nest coordinates, DRAM word address); the engine
// writes them into its buffers (reads) or fills their data (writes).
module trips_xfer
#(
    parameter int LANES = 8
) (
    input logic clk,
    input logic rst_n,
    // first cycle of a new chain: progress restarts from the slots below
    input logic go,
    input logic [1:0] nslots,
    input logic [trips_pkg::XFER_BITS-1:0] slot0,
    input logic [trips_pkg::XFER_BITS-1:0] slot1,
    input logic [trips_pkg::XFER_BITS-1:0] slot2,
    input logic [31:0] portFx,
    output logic busy,
    output logic last,
    output logic [trips_pkg::XFER_BITS-1:0] cur,
    output logic [LANES-1:0] laneValid,
    output logic [LANES-1:0] laneInBounds,
    output logic [LANES-1:0][31:0] laneIndex,
    output logic [LANES-1:0][31:0] laneA,
    output logic [LANES-1:0][31:0] laneB,
    // channel coff + c: the engine adds it (or its permuted place) to laneAddr
    output logic [LANES-1:0][31:0] laneChan,
    output logic [LANES-1:0][31:0] laneAddr
);
  trips_pkg::xfer_t t;  // the transfer in flight
  logic [31:0] taken;
  logic active;
  logic [1:0] slotQ;
  logic [31:0] doneQ, aQ, bQ, cQ, creditQ;
  logic sQ;

  logic [1:0] slot;
  logic [31:0] done, a0, b0, c0, credit, qfx, remaining, fit;
  logic s0;

  always_comb begin
    slot = go ? 2'd0 : slotQ;
    done = go ? 32'd0 : doneQ;
    a0 = go ? 32'd0 : aQ;
    b0 = go ? 32'd0 : bQ;
    c0 = go ? 32'd0 : cQ;
    s0 = go ? 1'b0 : sQ;
    credit = (go ? 32'd0 : creditQ) + portFx;
    case (slot)
      2'd0: t = slot0;
      2'd1: t = slot1;
      default: t = slot2;
    endcase
    cur = t;
    busy = go || active;
    qfx = {8'd0, t.bits, 16'd0};
    remaining = t.count - done;
    fit = credit / qfx;
    taken = busy ? fit : 32'd0;
    if (taken > remaining) taken = remaining;
    if (taken > LANES) taken = LANES;
    last = busy && taken == remaining && slot == nslots - 2'd1;
  end

  // lane j holds value done + j; its coordinates follow lane j − 1's by one step of the nest
  logic [LANES-1:0] cs;
  logic [LANES-1:0][31:0] ca, cb, cc;
  logic [31:0] na, nb, nc;
  logic ns;
  always_comb begin
    logic [31:0] a, b, c;
    logic s;
    {a, b, c, s} = {a0, b0, c0, s0};
    {na, nb, nc, ns} = {a0, b0, c0, s0};
    for (int j = 0; j < LANES; j++) begin
      {ca[j], cb[j], cc[j], cs[j]} = {a, b, c, s};
      if (t.interleave && !s) s = 1'b1;
      else begin
        s = 1'b0;
        if (c + 32'd1 < t.extC) c = c + 32'd1;
        else begin
          c = 32'd0;
          if (b + 32'd1 < t.extB) b = b + 32'd1;
          else begin
            b = 32'd0;
            a = a + 32'd1;
          end
        end
      end
      if (32'(j + 1) == taken) {na, nb, nc, ns} = {a, b, c, s};
    end
  end

  always_comb begin
    for (int j = 0; j < LANES; j++) begin
      logic [31:0] y, x;
      y = t.yoff + ca[j];
      x = t.xoff + cb[j];
      laneValid[j] = 32'(j) < taken;
      laneInBounds[j] = !t.bounds || ($signed(y) >= 0 && $signed(y) < $signed(t.h) && $signed(x) >= 0 && $signed(x) < $signed(t.w));
      laneIndex[j] = done + 32'(j);
      laneA[j] = ca[j];
      laneB[j] = cb[j];
      laneChan[j] = t.coff + cc[j];
      laneAddr[j] = (cs[j] ? t.base2 : t.base) + y * t.sa + x * t.sb;
    end
  end

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      active <= 1'b0;
      slotQ <= 2'd0;
      doneQ <= 32'd0;
      aQ <= 32'd0;
      bQ <= 32'd0;
      cQ <= 32'd0;
      sQ <= 1'b0;
      creditQ <= 32'd0;
    end else if (busy) begin
      if (last) begin
        active <= 1'b0;
      end else if (taken == remaining) begin
        // next transfer of the chain: fresh credit, its first beat in the next cycle
        active <= 1'b1;
        slotQ <= slot + 2'd1;
        doneQ <= 32'd0;
        aQ <= 32'd0;
        bQ <= 32'd0;
        cQ <= 32'd0;
        sQ <= 1'b0;
        creditQ <= 32'd0;
      end else begin
        active <= 1'b1;
        slotQ <= slot;
        doneQ <= done + taken;
        aQ <= na;
        bQ <= nb;
        cQ <= nc;
        sQ <= ns;
        creditQ <= credit - taken * qfx;
      end
    end
  end
endmodule
