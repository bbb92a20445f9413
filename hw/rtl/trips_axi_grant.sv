// trips_axi_grant.sv — one address channel's grant in trips_axi_arb: round-robin among the
// requesters (the first after the last one served), held from its first cycle to its handshake
// so the downstream VALID and payload stay stable. `allow` gates a new grant (the write channel
// needs room to queue the data's order); `start` is a new grant's first cycle, when `sel` is
// already the new requester.
module trips_axi_grant #(
    parameter int N = 2,
    parameter int IW = N > 1 ? $clog2(N) : 1
) (
    input logic clk,
    input logic rst_n,
    input logic [N-1:0] req,
    input logic allow,
    // the handshake of the granted request
    input logic done,
    output logic [IW-1:0] sel,
    output logic active,
    output logic start
);
  logic held, any;
  logic [IW-1:0] grant, last, pick;
  always_comb begin
    pick = last;
    any = 1'b0;
    for (int k = N; k >= 1; k--) begin
      if (req[(32'(last) + 32'(k)) % N]) begin
        pick = IW'((32'(last) + 32'(k)) % N);
        any = 1'b1;
      end
    end
    start = !held && any && allow;
    active = held || start;
    sel = held ? grant : pick;
  end
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      held <= 1'b0;
      grant <= '0;
      last <= IW'(N - 1);
    end else if (done) begin
      held <= 1'b0;
      last <= sel;
    end else if (start) begin
      held <= 1'b1;
      grant <= pick;
    end
  end
endmodule
