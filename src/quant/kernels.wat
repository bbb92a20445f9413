;; WebAssembly SIMD kernels of the integer golden model's fast engine (src/quant/engine-wasm.ts).
;; They compute exactly what the scalar reference in src/quant/golden.ts computes; a test holds
;; the two bit-identical on every layer. `npm run build:quant` assembles it with binaryen's
;; wasm-as into dist/quant/kernels.wasm.
;;
;; Data: activation codes int16, weights int16, accumulators int32 (the model's accumulator
;; bound keeps every partial sum, in any order, below 2^31), requantisation in int64 with the
;; model's one rounding rule: round half to even of v / 2^n.
;; Every address is a byte address into the exported memory; strides count elements.
(module
  (memory (export "memory") 1)

  ;; acc[p*accStride + o] = sum_{i < ip} x[p*xStride + i] * w[o*ip + i]   for p < P, o < O4
  ;; x, w int16; acc int32; ip a multiple of 8, O4 a multiple of 4 (weight rows padded with
  ;; zeros, so whatever x holds beyond a row's real inputs contributes nothing).
  (func (export "gemm")
    (param $x i32) (param $xStride i32) (param $P i32) (param $w i32) (param $O4 i32)
    (param $ip i32) (param $acc i32) (param $accStride i32)
    (local $p i32) (local $o i32) (local $i i32) (local $row i32) (local $xa i32) (local $xb i32)
    (local $outa i32) (local $outb i32)
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $u v128) (local $v v128) (local $k v128)
    (local.set $row (i32.shl (local.get $ip) (i32.const 1)))
    ;; two rows (pixels) at a time: each weight vector loaded once serves both
    (block $pend
      (loop $ploop
        (br_if $pend (i32.ge_s (i32.add (local.get $p) (i32.const 1)) (local.get $P)))
        (local.set $xa (i32.add (local.get $x) (i32.shl (i32.mul (local.get $p) (local.get $xStride)) (i32.const 1))))
        (local.set $xb (i32.add (local.get $xa) (i32.shl (local.get $xStride) (i32.const 1))))
        (local.set $outa (i32.add (local.get $acc) (i32.shl (i32.mul (local.get $p) (local.get $accStride)) (i32.const 2))))
        (local.set $outb (i32.add (local.get $outa) (i32.shl (local.get $accStride) (i32.const 2))))
        (local.set $w0 (local.get $w))
        (local.set $o (i32.const 0))
        (block $oend
          (loop $oloop
            (br_if $oend (i32.ge_s (local.get $o) (local.get $O4)))
            (local.set $w1 (i32.add (local.get $w0) (local.get $row)))
            (local.set $w2 (i32.add (local.get $w1) (local.get $row)))
            (local.set $w3 (i32.add (local.get $w2) (local.get $row)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $b0 (v128.const i32x4 0 0 0 0))
            (local.set $b1 (v128.const i32x4 0 0 0 0))
            (local.set $b2 (v128.const i32x4 0 0 0 0))
            (local.set $b3 (v128.const i32x4 0 0 0 0))
            (local.set $i (i32.const 0))
            (block $iend
              (loop $iloop
                (br_if $iend (i32.ge_s (local.get $i) (local.get $row)))
                (local.set $u (v128.load align=2 (i32.add (local.get $xa) (local.get $i))))
                (local.set $v (v128.load align=2 (i32.add (local.get $xb) (local.get $i))))
                (local.set $k (v128.load align=2 (i32.add (local.get $w0) (local.get $i))))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.dot_i16x8_s (local.get $u) (local.get $k))))
                (local.set $b0 (i32x4.add (local.get $b0) (i32x4.dot_i16x8_s (local.get $v) (local.get $k))))
                (local.set $k (v128.load align=2 (i32.add (local.get $w1) (local.get $i))))
                (local.set $a1 (i32x4.add (local.get $a1) (i32x4.dot_i16x8_s (local.get $u) (local.get $k))))
                (local.set $b1 (i32x4.add (local.get $b1) (i32x4.dot_i16x8_s (local.get $v) (local.get $k))))
                (local.set $k (v128.load align=2 (i32.add (local.get $w2) (local.get $i))))
                (local.set $a2 (i32x4.add (local.get $a2) (i32x4.dot_i16x8_s (local.get $u) (local.get $k))))
                (local.set $b2 (i32x4.add (local.get $b2) (i32x4.dot_i16x8_s (local.get $v) (local.get $k))))
                (local.set $k (v128.load align=2 (i32.add (local.get $w3) (local.get $i))))
                (local.set $a3 (i32x4.add (local.get $a3) (i32x4.dot_i16x8_s (local.get $u) (local.get $k))))
                (local.set $b3 (i32x4.add (local.get $b3) (i32x4.dot_i16x8_s (local.get $v) (local.get $k))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $iloop)))
            (v128.store align=4 (local.get $outa) (call $sum4 (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3)))
            (v128.store align=4 (local.get $outb) (call $sum4 (local.get $b0) (local.get $b1) (local.get $b2) (local.get $b3)))
            (local.set $outa (i32.add (local.get $outa) (i32.const 16)))
            (local.set $outb (i32.add (local.get $outb) (i32.const 16)))
            (local.set $w0 (i32.add (local.get $w3) (local.get $row)))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (br $oloop)))
        (local.set $p (i32.add (local.get $p) (i32.const 2)))
        (br $ploop)))
    ;; the last row of an odd P
    (if (i32.lt_s (local.get $p) (local.get $P))
      (then
        (local.set $xa (i32.add (local.get $x) (i32.shl (i32.mul (local.get $p) (local.get $xStride)) (i32.const 1))))
        (local.set $outa (i32.add (local.get $acc) (i32.shl (i32.mul (local.get $p) (local.get $accStride)) (i32.const 2))))
        (local.set $w0 (local.get $w))
        (local.set $o (i32.const 0))
        (block $oend1
          (loop $oloop1
            (br_if $oend1 (i32.ge_s (local.get $o) (local.get $O4)))
            (local.set $w1 (i32.add (local.get $w0) (local.get $row)))
            (local.set $w2 (i32.add (local.get $w1) (local.get $row)))
            (local.set $w3 (i32.add (local.get $w2) (local.get $row)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $i (i32.const 0))
            (block $iend1
              (loop $iloop1
                (br_if $iend1 (i32.ge_s (local.get $i) (local.get $row)))
                (local.set $u (v128.load align=2 (i32.add (local.get $xa) (local.get $i))))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.dot_i16x8_s (local.get $u) (v128.load align=2 (i32.add (local.get $w0) (local.get $i))))))
                (local.set $a1 (i32x4.add (local.get $a1) (i32x4.dot_i16x8_s (local.get $u) (v128.load align=2 (i32.add (local.get $w1) (local.get $i))))))
                (local.set $a2 (i32x4.add (local.get $a2) (i32x4.dot_i16x8_s (local.get $u) (v128.load align=2 (i32.add (local.get $w2) (local.get $i))))))
                (local.set $a3 (i32x4.add (local.get $a3) (i32x4.dot_i16x8_s (local.get $u) (v128.load align=2 (i32.add (local.get $w3) (local.get $i))))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $iloop1)))
            (v128.store align=4 (local.get $outa) (call $sum4 (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3)))
            (local.set $outa (i32.add (local.get $outa) (i32.const 16)))
            (local.set $w0 (i32.add (local.get $w3) (local.get $row)))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (br $oloop1))))))

  ;; [Σ lanes of a0, Σ lanes of a1, Σ lanes of a2, Σ lanes of a3] (a 4×4 transpose-add)
  (func $sum4 (param $a0 v128) (param $a1 v128) (param $a2 v128) (param $a3 v128) (result v128)
    (local $s01 v128) (local $s23 v128)
    (local.set $s01 (i32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1))))
    (local.set $s23 (i32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3))))
    (i32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s01) (local.get $s23))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s01) (local.get $s23))))

  ;; Depthwise: acc[(oy*outW + ox)*C8 + c] = sum over the window inside the input of
  ;; x[(iy*inW + ix)*xs + c] * w[(ky*K + kx)*C8 + c], iy = oy*stride − pad + ky (likewise ix).
  ;; x, w int16; acc int32; C8 a multiple of 8, xs ≥ C8 the pixel stride of x.
  (func (export "dwconv")
    (param $x i32) (param $inH i32) (param $inW i32) (param $xs i32) (param $w i32) (param $K i32)
    (param $stride i32) (param $pad i32) (param $outH i32) (param $outW i32) (param $C8 i32) (param $acc i32)
    (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32) (local $c i32) (local $iy0 i32) (local $ix0 i32)
    (local $ky0 i32) (local $ky1 i32) (local $kx0 i32) (local $kx1 i32) (local $xrow i32) (local $wrow i32)
    (local $xp i32) (local $wp i32) (local $xstep i32)
    (local $cb i32) (local $out i32) (local $lo v128) (local $hi v128) (local $xv v128) (local $wv v128)
    (local.set $cb (i32.shl (local.get $C8) (i32.const 1)))
    (local.set $xstep (i32.shl (local.get $xs) (i32.const 1)))
    (local.set $out (local.get $acc))
    (block $yend
      (loop $yloop
        (br_if $yend (i32.ge_s (local.get $oy) (local.get $outH)))
        ;; rows ky0 ≤ ky < ky1 of the window lie inside the input
        (local.set $iy0 (i32.sub (i32.mul (local.get $oy) (local.get $stride)) (local.get $pad)))
        (local.set $ky0 (select (i32.sub (i32.const 0) (local.get $iy0)) (i32.const 0) (i32.lt_s (local.get $iy0) (i32.const 0))))
        (local.set $ky1 (i32.sub (local.get $inH) (local.get $iy0)))
        (local.set $ky1 (select (local.get $K) (local.get $ky1) (i32.gt_s (local.get $ky1) (local.get $K))))
        (local.set $ox (i32.const 0))
        (block $xend
          (loop $xloop
            (br_if $xend (i32.ge_s (local.get $ox) (local.get $outW)))
            (local.set $ix0 (i32.sub (i32.mul (local.get $ox) (local.get $stride)) (local.get $pad)))
            (local.set $kx0 (select (i32.sub (i32.const 0) (local.get $ix0)) (i32.const 0) (i32.lt_s (local.get $ix0) (i32.const 0))))
            (local.set $kx1 (i32.sub (local.get $inW) (local.get $ix0)))
            (local.set $kx1 (select (local.get $K) (local.get $kx1) (i32.gt_s (local.get $kx1) (local.get $K))))
            (local.set $c (i32.const 0))
            (block $cend
              (loop $cloop
                (br_if $cend (i32.ge_s (local.get $c) (local.get $cb)))
                (local.set $lo (v128.const i32x4 0 0 0 0))
                (local.set $hi (v128.const i32x4 0 0 0 0))
                (local.set $ky (local.get $ky0))
                (block $kyend
                  (loop $kyloop
                    (br_if $kyend (i32.ge_s (local.get $ky) (local.get $ky1)))
                    ;; x at (iy0 + ky, ix0 + kx0), channel byte c; w at (ky, kx0)
                    (local.set $xp (i32.add (i32.add (local.get $x) (local.get $c))
                      (i32.mul (i32.add (i32.mul (i32.add (local.get $iy0) (local.get $ky)) (local.get $inW)) (i32.add (local.get $ix0) (local.get $kx0))) (local.get $xstep))))
                    (local.set $wp (i32.add (i32.add (local.get $w) (local.get $c))
                      (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $K)) (local.get $kx0)) (local.get $cb))))
                    (local.set $kx (local.get $kx0))
                    (block $kxend
                      (loop $kxloop
                        (br_if $kxend (i32.ge_s (local.get $kx) (local.get $kx1)))
                        (local.set $xv (v128.load align=2 (local.get $xp)))
                        (local.set $wv (v128.load align=2 (local.get $wp)))
                        (local.set $lo (i32x4.add (local.get $lo) (i32x4.extmul_low_i16x8_s (local.get $xv) (local.get $wv))))
                        (local.set $hi (i32x4.add (local.get $hi) (i32x4.extmul_high_i16x8_s (local.get $xv) (local.get $wv))))
                        (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
                        (local.set $wp (i32.add (local.get $wp) (local.get $cb)))
                        (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                        (br $kxloop)))
                    (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
                    (br $kyloop)))
                (v128.store align=4 (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 1))) (local.get $lo))
                (v128.store align=4 (i32.add (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 1))) (i32.const 16)) (local.get $hi))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $cloop)))
            (local.set $out (i32.add (local.get $out) (i32.shl (local.get $C8) (i32.const 2))))
            (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
            (br $xloop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $yloop))))

  ;; out[p*outStride + perm[o]] = clamp(roundShift(acc[p*accStride + o]*mul[o] + bias[o], shift[o]))
  ;; for p < P, o < C. acc int32; mul, bias, half, shift int64; perm int32; out int16.
  ;; roundShift(v, n), round half to even of v / 2^n: q = v >> n, r = v − (q << n); q + 1 when
  ;; r > half, or r = half and q is odd (half = 2^(n−1); 1 when n = 0, which no remainder
  ;; reaches). clamp(q) = min(max(q, lo), hi).
  (func (export "requant")
    (param $acc i32) (param $accStride i32) (param $P i32) (param $C i32)
    (param $mul i32) (param $bias i32) (param $half i32) (param $shift i32) (param $perm i32)
    (param $lo i64) (param $hi i64) (param $out i32) (param $outStride i32)
    (local $p i32) (local $o i32) (local $ap i32) (local $op i32) (local $o8 i32)
    (local $v i64) (local $n i64) (local $h i64) (local $q i64) (local $r i64)
    (block $pend
      (loop $ploop
        (br_if $pend (i32.ge_s (local.get $p) (local.get $P)))
        (local.set $ap (i32.add (local.get $acc) (i32.shl (i32.mul (local.get $p) (local.get $accStride)) (i32.const 2))))
        (local.set $op (i32.add (local.get $out) (i32.shl (i32.mul (local.get $p) (local.get $outStride)) (i32.const 1))))
        (local.set $o (i32.const 0))
        (block $oend
          (loop $oloop
            (br_if $oend (i32.ge_s (local.get $o) (local.get $C)))
            (local.set $o8 (i32.shl (local.get $o) (i32.const 3)))
            (local.set $v (i64.add
              (i64.mul (i64.extend_i32_s (i32.load (i32.add (local.get $ap) (i32.shl (local.get $o) (i32.const 2)))))
                       (i64.load (i32.add (local.get $mul) (local.get $o8))))
              (i64.load (i32.add (local.get $bias) (local.get $o8)))))
            (local.set $n (i64.load (i32.add (local.get $shift) (local.get $o8))))
            (local.set $h (i64.load (i32.add (local.get $half) (local.get $o8))))
            (local.set $q (i64.shr_s (local.get $v) (local.get $n)))
            (local.set $r (i64.sub (local.get $v) (i64.shl (local.get $q) (local.get $n))))
            (local.set $q (i64.add (local.get $q) (i64.extend_i32_u
              (i32.or (i64.gt_s (local.get $r) (local.get $h))
                      (i32.and (i64.eq (local.get $r) (local.get $h)) (i32.wrap_i64 (i64.and (local.get $q) (i64.const 1))))))))
            (local.set $q (select (local.get $lo) (local.get $q) (i64.lt_s (local.get $q) (local.get $lo))))
            (local.set $q (select (local.get $hi) (local.get $q) (i64.gt_s (local.get $q) (local.get $hi))))
            (i32.store16
              (i32.add (local.get $op) (i32.shl (i32.load (i32.add (local.get $perm) (i32.shl (local.get $o) (i32.const 2)))) (i32.const 1)))
              (i32.wrap_i64 (local.get $q)))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (br $oloop)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $ploop))))

  ;; out = clamp(roundShift(a*m0 + b*m1, n)) over P pixels × C channels; a, b, out int16 with
  ;; pixel stride s. Rounding and clamp as in requant.
  (func (export "add")
    (param $a i32) (param $b i32) (param $out i32) (param $P i32) (param $C i32) (param $s i32)
    (param $m0 i64) (param $m1 i64) (param $n i64) (param $h i64) (param $lo i64) (param $hi i64)
    (local $p i32) (local $c i32) (local $at i32) (local $v i64) (local $q i64) (local $r i64)
    (block $pend
      (loop $ploop
        (br_if $pend (i32.ge_s (local.get $p) (local.get $P)))
        (local.set $c (i32.const 0))
        (block $cend
          (loop $cloop
            (br_if $cend (i32.ge_s (local.get $c) (local.get $C)))
            (local.set $at (i32.shl (i32.add (i32.mul (local.get $p) (local.get $s)) (local.get $c)) (i32.const 1)))
            (local.set $v (i64.add
              (i64.mul (i64.extend_i32_s (i32.load16_s (i32.add (local.get $a) (local.get $at)))) (local.get $m0))
              (i64.mul (i64.extend_i32_s (i32.load16_s (i32.add (local.get $b) (local.get $at)))) (local.get $m1))))
            (local.set $q (i64.shr_s (local.get $v) (local.get $n)))
            (local.set $r (i64.sub (local.get $v) (i64.shl (local.get $q) (local.get $n))))
            (local.set $q (i64.add (local.get $q) (i64.extend_i32_u
              (i32.or (i64.gt_s (local.get $r) (local.get $h))
                      (i32.and (i64.eq (local.get $r) (local.get $h)) (i32.wrap_i64 (i64.and (local.get $q) (i64.const 1))))))))
            (local.set $q (select (local.get $lo) (local.get $q) (i64.lt_s (local.get $q) (local.get $lo))))
            (local.set $q (select (local.get $hi) (local.get $q) (i64.gt_s (local.get $q) (local.get $hi))))
            (i32.store16 (i32.add (local.get $out) (local.get $at)) (i32.wrap_i64 (local.get $q)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cloop)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $ploop))))
)
