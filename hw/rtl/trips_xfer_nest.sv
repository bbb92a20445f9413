// trips_xfer_nest.sv — one walk of a DMA chain (trips_xfer walks each chain twice): a chain of up to three
// transfers (xfer_t) back to back, one buffer word per step. With CREDIT the walk is paced by
// the port: it moves `portFx`/2^16 bits per cycle (the effective port width of the cost model,
// possibly fractional when the chunks share the DRAM); the bits accumulate as credit, and a word
// of n q-bit values goes in the first cycle whose credit covers n·q. So a transfer of W words
// and B bits takes max(W, ⌈B/P⌉) cycles when its words are alike (docs/cost-model.md). Without
// CREDIT it steps whenever `en` says so (the words it walks have arrived). Every address is kept
// by adding strides as the nest advances — no multiplier, no divider.
module trips_xfer_nest #(
    parameter int PE_M = 2,
    parameter int BJ = 1,
    parameter int CREDIT = 1
) (
    input logic clk,
    input logic rst_n,
    // first cycle of a new chain: progress restarts from the slots below
    input logic go,
    // this cycle's word may go (CREDIT: and the port's credit covers it)
    input logic en,
    input logic [1:0] nslots,
    input logic [trips_pkg::XFER_BITS-1:0] slot0,
    input logic [trips_pkg::XFER_BITS-1:0] slot1,
    input logic [trips_pkg::XFER_BITS-1:0] slot2,
    input logic [31:0] portFx,
    output logic busy,
    output logic last,
    output logic [trips_pkg::XFER_BITS-1:0] cur,
    // this cycle's word: `beat`, its values, DRAM word of its first value, whole pixel in bounds
    output logic beat,
    output logic [7:0] len,
    output logic [31:0] dAddr,
    output logic inb,
    // where it goes on chip: buffer word, a-bank (a mod PE_M), column bank, source, word in segment
    output logic [31:0] word,
    output logic [$clog2(PE_M+1)-1:0] aBank,
    output logic [$clog2(BJ+1)-1:0] cBank,
    output logic src,
    output logic [31:0] segWord,
    // position of the next word (all words before it are written): a, b, s, c
    output logic [31:0] posA,
    output logic [31:0] posB,
    output logic posS,
    output logic [31:0] posC
);
  localparam logic [31:0] CREDIT_CAP = 32'h3fff_ffff;
  trips_pkg::xfer_t t;  // the transfer in flight
  logic active, restartQ;
  logic [1:0] slot, slotQ;

  // nest state (registered) and its value in this cycle (restarted on go / next slot)
  logic [31:0] aQ, bQ, cQ, csQ, cwQ, segOffQ, rowAQ, colAQ, rowOffQ, colOffQ, creditQ, bvQ;
  logic signed [31:0] yQ, xQ;
  logic [$clog2(PE_M+1)-1:0] abQ;
  logic [$clog2(BJ+1)-1:0] bkQ;
  logic sQ, fresh;
  logic [31:0] a, b, c, cs, cw, segOff, rowA, colA, rowOff, colOff, credit, bv;
  logic signed [31:0] y, x;
  logic [$clog2(PE_M+1)-1:0] ab;
  logic [$clog2(BJ+1)-1:0] bk;
  logic s;

  always_comb begin
    slot = go ? 2'd0 : slotQ;
    case (slot)
      2'd0: t = slot0;
      2'd1: t = slot1;
      default: t = slot2;
    endcase
    cur = t;
    busy = go || active;
    fresh = go || restartQ;
    a = fresh ? 32'd0 : aQ;
    b = fresh ? 32'd0 : bQ;
    c = fresh ? 32'd0 : cQ;
    cs = fresh ? 32'd0 : csQ;
    cw = fresh ? 32'd0 : cwQ;
    s = fresh ? 1'b0 : sQ;
    segOff = fresh ? 32'd0 : segOffQ;
    rowA = fresh ? 32'd0 : rowAQ;
    colA = fresh ? 32'd0 : colAQ;
    rowOff = fresh ? 32'd0 : rowOffQ;
    colOff = fresh ? 32'd0 : colOffQ;
    bv = fresh ? 32'd0 : bvQ;
    ab = fresh ? '0 : abQ;
    bk = fresh ? '0 : bkQ;
    y = fresh ? $signed(t.y0) : yQ;
    x = fresh ? $signed(t.x0) : xQ;
    credit = (fresh ? 32'd0 : creditQ) + portFx;
  end

  // this cycle's word: the channels up to the word's or the segment's end
  logic [31:0] segLeft, need;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] wordBits;  // ≤ 255 values × 64 bits
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    segLeft = trips_pkg::min2(t.segLen - cs, t.extC - c);
    len = segLeft < 32'(t.vlen) ? segLeft[7:0] : t.vlen;
    wordBits = trips_pkg::mul_small(len, {24'd0, t.bits});
    need = {wordBits[15:0], 16'd0};
    beat = busy && en && (CREDIT == 0 || credit >= need);
    dAddr = (s ? t.base2 : t.base) + rowA + colA + c;
    inb = !t.bounds || (y >= 0 && y < $signed(t.h) && x >= 0 && x < $signed(t.w));
    word = rowOff + colOff + segOff + cw;
    aBank = ab;
    cBank = bk;
    src = s;
    segWord = cw;
    posA = a;
    posB = b;
    posS = s;
    posC = c;
  end

  // the nest after this beat
  logic [31:0] na, nb, nc, ncs, ncw, nsegOff, nrowA, ncolA, nrowOff, ncolOff, nbv;
  logic signed [31:0] ny, nx;
  logic [$clog2(PE_M+1)-1:0] nab;
  logic [$clog2(BJ+1)-1:0] nbk;
  logic ns, xferDone;
  always_comb begin
    {na, nb, nc, ncs, ncw, nsegOff, nrowA, ncolA, nrowOff, ncolOff, nbv} = {a, b, c, cs, cw, segOff, rowA, colA, rowOff, colOff, bv};
    {ny, nx, nab, nbk, ns} = {y, x, ab, bk, s};
    xferDone = 1'b0;
    nc = c + 32'(len);
    ncs = cs + 32'(len);
    ncw = cw + 32'd1;
    if (ncs == t.segLen) begin
      ncs = 32'd0;
      ncw = 32'd0;
      nsegOff = segOff + t.bS;
    end
    if (nc == t.extC) begin
      // the pixel (or its first source) is done
      {nc, ncs, ncw, nsegOff} = '0;
      if (t.two && !s) ns = 1'b1;
      else begin
        ns = 1'b0;
        nb = b + 32'd1;
        ncolA = colA + t.sb;
        nx = x + 32'sd1;
        if (!t.cbank) ncolOff = colOff + t.bB;
        else if (bv + 32'd1 < 32'(t.sub)) begin
          nbv = bv + 32'd1;
          ncolOff = colOff + t.bB;
        end else begin
          nbv = 32'd0;
          if (32'(bk) + 32'd1 < 32'(BJ)) begin
            nbk = bk + 1'b1;
            ncolOff = colOff - t.bBsub;
          end else begin
            nbk = '0;
            ncolOff = colOff + t.bB;
          end
        end
        if (nb == t.extB) begin
          {nb, ncolA, ncolOff, nbv} = '0;
          nbk = '0;
          nx = $signed(t.x0);
          na = a + 32'd1;
          nrowA = rowA + t.sa;
          ny = y + 32'sd1;
          if (!t.abank) nrowOff = rowOff + t.bA;
          else if (32'(ab) + 32'd1 < 32'(PE_M)) nab = ab + 1'b1;
          else begin
            nab = '0;
            nrowOff = rowOff + t.bA;
          end
          xferDone = na == t.extA;
        end
      end
    end
    last = beat && xferDone && slot == nslots - 2'd1;
  end

`ifdef TRIPS_TRACE
  always_ff @(posedge clk) if (beat && CREDIT == 0) $display("xfer sp%0d tg%0d w%0d slot%0d a%0d b%0d s%0d c%0d len%0d dAddr%0d word%0d ab%0d cb%0d extABC %0d %0d %0d base %0d", t.space, t.target, t.write, slot, a, b, s, c, len, dAddr, word, ab, bk, t.extA, t.extB, t.extC, t.base);
`endif
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      active <= 1'b0;
      restartQ <= 1'b0;
      slotQ <= 2'd0;
      {aQ, bQ, cQ, csQ, cwQ, segOffQ, rowAQ, colAQ, rowOffQ, colOffQ, creditQ, bvQ} <= '0;
      {yQ, xQ} <= '0;
      abQ <= '0;
      bkQ <= '0;
      sQ <= 1'b0;
    end else if (busy) begin
      restartQ <= 1'b0;
      if (last) active <= 1'b0;
      else if (beat && xferDone) begin
        // next transfer of the chain: fresh nest and credit, its first beat in the next cycle
        active <= 1'b1;
        restartQ <= 1'b1;
        slotQ <= slot + 2'd1;
      end else begin
        active <= 1'b1;
        slotQ <= slot;
        if (beat) begin
          {aQ, bQ, cQ, csQ, cwQ, segOffQ, rowAQ, colAQ, rowOffQ, colOffQ, bvQ} <= {na, nb, nc, ncs, ncw, nsegOff, nrowA, ncolA, nrowOff, ncolOff, nbv};
          {yQ, xQ} <= {ny, nx};
          abQ <= nab;
          bkQ <= nbk;
          sQ <= ns;
          creditQ <= credit - need > CREDIT_CAP ? CREDIT_CAP : credit - need;
        end else begin
          {aQ, bQ, cQ, csQ, cwQ, segOffQ, rowAQ, colAQ, rowOffQ, colOffQ, bvQ} <= {a, b, c, cs, cw, segOff, rowA, colA, rowOff, colOff, bv};
          {yQ, xQ} <= {y, x};
          abQ <= ab;
          bkQ <= bk;
          sQ <= s;
          creditQ <= credit > CREDIT_CAP ? CREDIT_CAP : credit;
        end
      end
    end
  end
endmodule
