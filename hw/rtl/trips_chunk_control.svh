// trips_chunk_control.svh — part of trips_chunk (included): the controller. Every phase
// starts its DMA chain and compute in its first cycle (xGo / cGo are set on the edge that
// enters it) and ends on the cycle its last beat or MAC happens, so the only cycles beyond
// transfers and compute are the fixed ones the cost model counts: 32 per layer, 8 per tile,
// 2 per step.
  logic xDone, cDone, lastTile;
  logic [31:0] nc0, nr0, nm0, ng;
  always_comb begin
    xDone = !xBusy || xLast;
    cDone = !cBusy || cLast;
    // next tile: columns, then rows, then out channels, then groups (pool: channels only)
    nc0 = c0;
    nr0 = r0;
    nm0 = m0;
    ng = g;
    if (!isPool && c0 + tC < outW) nc0 = c0 + tC;
    else begin
      nc0 = 32'd0;
      if (!isPool && r0 + tR < outH) nr0 = r0 + tR;
      else begin
        nr0 = 32'd0;
        if (m0 + tM < M) nm0 = m0 + tM;
        else begin
          nm0 = 32'd0;
          ng = g + 32'd1;
        end
      end
    end
    lastTile = mac ? ng == G : nm0 == 32'd0 && nr0 == 32'd0 && nc0 == 32'd0;
  end

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      st <= S_IDLE;
      {layer, cnt, g, m0, r0, c0, cStep, lStep} <= '0;
      {cHalf, lHalf, xGo, cGo} <= '0;
      xN <= 2'd1;
      xs0 <= '0;
      xs1 <= '0;
      xs2 <= '0;
      d <= '0;
      finished <= 1'b0;
    end else begin
      xGo <= 1'b0;
      cGo <= 1'b0;
      cnt <= cnt + 32'd1;
      case (st)
        S_IDLE:
        if (start) begin
          st <= S_FETCH;
          layer <= 32'd0;
          cnt <= 32'd0;
          finished <= 1'b0;
        end
        S_FETCH: begin
          if (cnt < 32'd27) d[cnt[4:0]] <= prog[PW'(32'd16 + layer * 32'd32 + cnt)];
          if (cnt == 32'd30) begin
            st <= S_PARAMS;
            {g, m0, r0, c0} <= '0;
            xGo <= 1'b1;
            if (!mac) {xN, xs0, xs1, xs2} <= {2'd1, xMulSh, none(), none()};
            else {xN, xs0, xs1, xs2} <= {permEn ? 2'd3 : 2'd2, xBias, xMulSh, xPerm};
          end
        end
        S_PARAMS, S_WLOAD:
        if (xDone) begin
          cnt <= 32'd0;
          if (st == S_PARAMS && mac && ws) begin
            st <= S_WLOAD;
            {xGo, xN, xs0, xs1, xs2} <= {1'b1, 2'd1, xWTile, none(), none()};
          end else st <= S_TSETUP;
        end
        S_TSETUP:
        if (cnt == 32'd7) begin
          cStep <= 32'd0;
          cHalf <= 1'b0;
          lStep <= 32'd1;
          lHalf <= 1'b1;
          if (mac) begin
            st <= S_LOAD0;
            {xGo, xN, xs0, xs1, xs2} <= {1'b1, ws ? 2'd1 : 2'd2, xInBox, xWBlock, none()};
          end else begin
            st <= S_ELT;
            cGo <= 1'b1;
            {xGo, xN, xs0, xs1, xs2} <= {1'b1, 2'd1, xElt, none(), none()};
          end
        end
        S_LOAD0, S_PHASE, S_ELT:
        if (xDone && (st == S_LOAD0 || cDone)) begin
          st <= S_SWAP;
          cnt <= 32'd0;
          if (st == S_PHASE) begin
            cStep <= lStep;
            cHalf <= lHalf;
            lStep <= lStep + 32'd1;
            lHalf <= !lHalf;
          end
        end
        S_SWAP:
        if (!mac) begin
          st <= S_OUT;
          {xGo, xN, xs0, xs1, xs2} <= {1'b1, 2'd1, xOutTile, none(), none()};
        end else if (cnt == 32'd1) begin
          cGo <= 1'b1;
          if (lStep < nSteps) begin
            st <= S_PHASE;
            {xGo, xN, xs0, xs1, xs2} <= {1'b1, ws ? 2'd1 : 2'd2, xInBox, xWBlock, none()};
          end else st <= S_CLAST;
        end
        S_CLAST:
        if (cDone) begin
          st <= S_OUT;
          {xGo, xN, xs0, xs1, xs2} <= {1'b1, 2'd1, xOutTile, none(), none()};
        end
        S_OUT:
        if (xDone) begin
          cnt <= 32'd0;
          {g, m0, r0, c0} <= {ng, nm0, nr0, nc0};
          if (lastTile) st <= S_LDONE;
          else if (mac && ws && (nm0 != m0 || ng != g)) begin
            st <= S_WLOAD;
            {xGo, xN, xs0, xs1, xs2} <= {1'b1, 2'd1, xWTile, none(), none()};
          end else st <= S_TSETUP;
        end
        default: begin
          // S_LDONE: the layer's last cycle
          cnt <= 32'd0;
          if (layer + 32'd1 < nLayers) begin
            st <= S_FETCH;
            layer <= layer + 32'd1;
          end else begin
            st <= S_IDLE;
            finished <= 1'b1;
          end
        end
      endcase
    end
  end
