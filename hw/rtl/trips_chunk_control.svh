// trips_chunk_control.svh — part of trips_chunk (included): the controller. Every phase
// starts its DMA chain and compute in its first cycle (xGo / cGo are set on the edge that
// enters it) and ends on the cycle its last word or its compute pipeline's last write
// happens, so the only cycles beyond transfers and compute are the fixed ones the cost model
// counts: per layer the descriptor fetch and one done cycle, 8 per tile, 2 per step.
  logic xDone, cDone, lastTile;
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
    // program RAM: header words 2–10 at boot, then the layer's descriptor
    progRa = st == S_HEAD ? PW'(cnt + 32'd2) : PW'(32'd16 + (layer << 6) + cnt);
  end

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      st <= S_IDLE;
      {layer, cnt, g, m0, r0, c0, cStep, lStep} <= '0;
      {cHalf, lHalf, xGo, cGo} <= '0;
      {nLayers, tM, tN, tR, tC, portFx} <= '0;
      {inRow, inCol, outRow, outCol, outCh, gIn, wG, wM, tBase, tG, lStepTN, cStepTN, cStepNGW} <= '0;
      {y0t, x0t} <= '0;
      tRot <= '0;
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
          st <= S_HEAD;
          layer <= 32'd0;
          cnt <= 32'd0;
          finished <= 1'b0;
        end
        S_HEAD: begin
          // word 2 + cnt − 1 arrives
          case (cnt)
            32'd1: nLayers <= progRd;
            32'd3: tM <= progRd;
            32'd4: tN <= progRd;
            32'd5: tR <= progRd;
            32'd6: tC <= progRd;
            32'd9: portFx <= progRd;
            default: ;
          endcase
          if (cnt == 32'd9) begin
            st <= S_FETCH;
            cnt <= 32'd0;
          end
        end
        S_FETCH, S_WAIT: begin
          if (st == S_FETCH && cnt >= 32'd1 && cnt <= 32'(trips_pkg::D_USED)) d[cnt-32'd1] <= progRd;
          if (layerReq && layerSkip) st <= S_LDONE;
          else if (layerReq && !layerGo) st <= S_WAIT;
          else if (layerReq) begin
            st <= S_PARAMS;
            {g, m0, r0, c0} <= '0;
            {outRow, outCol, outCh, gIn, wG, wM, tBase, tG} <= '0;
            tRot <= '0;
            inRow <= -d[trips_pkg::D_PADSA];
            inCol <= -d[trips_pkg::D_PADC];
            y0t <= -$signed(pad);
            x0t <= -$signed(pad);
            xGo <= 1'b1;
            if (!mac) {xN, xs0, xs1, xs2} <= {2'd1, xMulSh, none(), none()};
            else {xN, xs0, xs1, xs2} <= {permEn ? 2'd3 : 2'd2, xBias, xMulSh, xPerm};
          end
        end
        S_PARAMS, S_WLOAD:
        if (xDone) begin
          cnt <= 32'd0;
          if (st == S_PARAMS && mac && WS != 0) begin
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
          cStepTN <= 32'd0;
          cStepNGW <= 32'd0;
          lStepTN <= tN;
          if (mac) begin
            st <= S_LOAD0;
            {xGo, xN, xs0, xs1, xs2} <= {1'b1, WS != 0 ? 2'd1 : 2'd2, xInBox, xWBlock, none()};
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
            cStepTN <= lStepTN;
            cStepNGW <= cStepNGW + d[trips_pkg::D_NGW];
            lStep <= lStep + 32'd1;
            lHalf <= !lHalf;
            lStepTN <= lStepTN + tN;
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
            {xGo, xN, xs0, xs1, xs2} <= {1'b1, WS != 0 ? 2'd1 : 2'd2, xInBox, xWBlock, none()};
          end else st <= S_CLAST;
        end
        S_CLAST:
        if (cDone) begin
          st <= S_OUT;
          {xGo, xN, xs0, xs1, xs2} <= {1'b1, 2'd1, xOutTile, none(), none()};
        end
        S_OUT:
        if (oDone) begin
          cnt <= 32'd0;
          {g, m0, r0, c0} <= {ng, nm0, nr0, nc0};
          // the tile bases follow: columns, rows, out channels, groups
          if (nc0 != 32'd0) begin
            inCol <= inCol + d[trips_pkg::D_TCSC];
            x0t <= x0t + $signed(d[trips_pkg::D_TCS]);
            outCol <= outCol + d[trips_pkg::D_TCOC];
          end else begin
            inCol <= -d[trips_pkg::D_PADC];
            x0t <= -$signed(pad);
            outCol <= 32'd0;
            if (nr0 != 32'd0) begin
              inRow <= inRow + d[trips_pkg::D_TRSSA];
              y0t <= y0t + $signed(d[trips_pkg::D_TRS]);
              outRow <= outRow + d[trips_pkg::D_TROSA];
            end else begin
              inRow <= -d[trips_pkg::D_PADSA];
              y0t <= -$signed(pad);
              outRow <= 32'd0;
              wM <= nWM;
              wG <= nWG;
              if (nm0 != 32'd0) begin
                outCh <= outCh + tM;
                // m0 + tM in table words and the bank of its first channel
                if (32'(tRot) + 32'((tM & 32'(PE_M - 1))) >= 32'(PE_M)) begin
                  tBase <= tBase + (tM >> LPM) + 32'd1;
                  tRot <= tRot + ($clog2(PE_M + 1))'((tM & 32'(PE_M - 1))) - ($clog2(PE_M + 1))'(PE_M);
                end else begin
                  tBase <= tBase + (tM >> LPM);
                  tRot <= tRot + ($clog2(PE_M + 1))'((tM & 32'(PE_M - 1)));
                end
              end else begin
                tRot <= '0;
                outCh <= mac ? outCh - m0 + outPer : 32'd0;
                tBase <= tG + d[trips_pkg::D_MGT];
                tG <= tG + d[trips_pkg::D_MGT];
                gIn <= gIn + inPer;
              end
            end
          end
          if (lastTile) st <= S_LDONE;
          else if (mac && WS != 0 && (nm0 != m0 || ng != g)) begin
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
