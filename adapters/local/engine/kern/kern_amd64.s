//go:build amd64 && !purego

#include "textflag.h"

// Code below is hand-unrolled AVX2/FMA assembly for the engine's hot loops.

// func kern6x16(kb int, a *float32, ar, ak int, b *float32, bk int, c *float32, ldc int, accum bool)
// C[6x16] (+)= A·B over kb steps of k. A element (r, k) is at a + r*ar + k*ak
// (strides in elements); B row k (16 contiguous values) is at b + k*bk.
TEXT ·kern6x16(SB), NOSPLIT, $0-65
	MOVQ kb+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ ar+16(FP), R10
	SHLQ $2, R10
	MOVQ ak+24(FP), R11
	SHLQ $2, R11
	MOVQ b+32(FP), DI
	MOVQ bk+40(FP), R13
	SHLQ $2, R13
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	LEAQ (R10)(R10*2), R12
	ADDQ SI, R12  // R12 = row 3
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	MOVQ CX, R9
	SHRQ $1, R9
	JZ k6tail
k6loop2:
	VMOVUPS (DI), Y12
	VMOVUPS 32(DI), Y13
	VBROADCASTSS (SI), Y14
	VFMADD231PS Y12, Y14, Y0
	VFMADD231PS Y13, Y14, Y1
	VBROADCASTSS (SI)(R10*1), Y15
	VFMADD231PS Y12, Y15, Y2
	VFMADD231PS Y13, Y15, Y3
	VBROADCASTSS (SI)(R10*2), Y14
	VFMADD231PS Y12, Y14, Y4
	VFMADD231PS Y13, Y14, Y5
	VBROADCASTSS (R12), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VBROADCASTSS (R12)(R10*1), Y14
	VFMADD231PS Y12, Y14, Y8
	VFMADD231PS Y13, Y14, Y9
	VBROADCASTSS (R12)(R10*2), Y15
	VFMADD231PS Y12, Y15, Y10
	VFMADD231PS Y13, Y15, Y11
	ADDQ R11, SI
	ADDQ R11, R12
	ADDQ R13, DI
	VMOVUPS (DI), Y12
	VMOVUPS 32(DI), Y13
	VBROADCASTSS (SI), Y14
	VFMADD231PS Y12, Y14, Y0
	VFMADD231PS Y13, Y14, Y1
	VBROADCASTSS (SI)(R10*1), Y15
	VFMADD231PS Y12, Y15, Y2
	VFMADD231PS Y13, Y15, Y3
	VBROADCASTSS (SI)(R10*2), Y14
	VFMADD231PS Y12, Y14, Y4
	VFMADD231PS Y13, Y14, Y5
	VBROADCASTSS (R12), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VBROADCASTSS (R12)(R10*1), Y14
	VFMADD231PS Y12, Y14, Y8
	VFMADD231PS Y13, Y14, Y9
	VBROADCASTSS (R12)(R10*2), Y15
	VFMADD231PS Y12, Y15, Y10
	VFMADD231PS Y13, Y15, Y11
	ADDQ R11, SI
	ADDQ R11, R12
	ADDQ R13, DI
	DECQ R9
	JNZ k6loop2
k6tail:
	ANDQ $1, CX
	JZ k6store
	VMOVUPS (DI), Y12
	VMOVUPS 32(DI), Y13
	VBROADCASTSS (SI), Y14
	VFMADD231PS Y12, Y14, Y0
	VFMADD231PS Y13, Y14, Y1
	VBROADCASTSS (SI)(R10*1), Y15
	VFMADD231PS Y12, Y15, Y2
	VFMADD231PS Y13, Y15, Y3
	VBROADCASTSS (SI)(R10*2), Y14
	VFMADD231PS Y12, Y14, Y4
	VFMADD231PS Y13, Y14, Y5
	VBROADCASTSS (R12), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VBROADCASTSS (R12)(R10*1), Y14
	VFMADD231PS Y12, Y14, Y8
	VFMADD231PS Y13, Y14, Y9
	VBROADCASTSS (R12)(R10*2), Y15
	VFMADD231PS Y12, Y15, Y10
	VFMADD231PS Y13, Y15, Y11
	ADDQ R11, SI
	ADDQ R11, R12
	ADDQ R13, DI
k6store:
	MOVBQZX accum+64(FP), AX
	TESTQ AX, AX
	JZ k6over
	VADDPS (DX), Y0, Y0
	VADDPS 32(DX), Y1, Y1
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y2, Y2
	VADDPS 32(DX), Y3, Y3
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y4, Y4
	VADDPS 32(DX), Y5, Y5
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y6, Y6
	VADDPS 32(DX), Y7, Y7
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y8, Y8
	VADDPS 32(DX), Y9, Y9
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y10, Y10
	VADDPS 32(DX), Y11, Y11
	VMOVUPS Y10, (DX)
	VMOVUPS Y11, 32(DX)
	VZEROUPPER
	RET
k6over:
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y10, (DX)
	VMOVUPS Y11, 32(DX)
	VZEROUPPER
	RET

// func dotRows32(q, k *float32, ldk, n, hd int, out *float32, scale float32)
// out[j] = scale * sum_c q[c]*k[j*ldk+c], hd a positive multiple of 8. Keys go
// in groups of four with one accumulator each, reduced by a fixed tree, so a
// key's result does not depend on n. Missing keys of the last group read q
// instead (their lanes are never stored).
TEXT ·dotRows32(SB), NOSPLIT, $0-52
	MOVQ q+0(FP), SI
	MOVQ k+8(FP), DI
	MOVQ ldk+16(FP), R8
	SHLQ $2, R8
	MOVQ n+24(FP), CX
	MOVQ hd+32(FP), R10
	MOVQ out+40(FP), DX
	VBROADCASTSS scale+48(FP), Y5
	// Groups of eight keys (eight accumulators; the same per-key reduction
	// tree as the four-key groups below, so results are identical).
	MOVQ R10, R13
	SHLQ $2, R13  // hd in bytes
dr8group:
	CMPQ CX, $8
	JLT drgroup
	MOVQ SI, BX
	MOVQ DI, R11
	LEAQ (DI)(R8*2), R9
	ADDQ R8, R9  // row 3
	LEAQ (R9)(R8*2), R12
	ADDQ R8, R12 // row 6
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	XORQ AX, AX
dr8col:
	VMOVUPS (BX), Y4
	VFMADD231PS (R11), Y4, Y0
	VFMADD231PS (R11)(R8*1), Y4, Y1
	VFMADD231PS (R11)(R8*2), Y4, Y2
	VFMADD231PS (R9), Y4, Y3
	VFMADD231PS (R11)(R8*4), Y4, Y6
	VFMADD231PS (R9)(R8*2), Y4, Y7
	VFMADD231PS (R12), Y4, Y8
	VFMADD231PS (R12)(R8*1), Y4, Y9
	ADDQ $32, BX
	ADDQ $32, R11
	ADDQ $32, R9
	ADDQ $32, R12
	ADDQ $32, AX
	CMPQ AX, R13
	JLT dr8col
	VHADDPS Y1, Y0, Y0
	VHADDPS Y3, Y2, Y2
	VHADDPS Y2, Y0, Y0   // keys 0-3: [lo quarter sums | hi quarter sums]
	VHADDPS Y7, Y6, Y6
	VHADDPS Y9, Y8, Y8
	VHADDPS Y8, Y6, Y6   // keys 4-7
	VPERM2F128 $0x20, Y6, Y0, Y1  // [keys 0-3 lo, keys 4-7 lo]
	VPERM2F128 $0x31, Y6, Y0, Y2  // [keys 0-3 hi, keys 4-7 hi]
	VADDPS Y2, Y1, Y1
	VMULPS Y5, Y1, Y1
	VMOVUPS Y1, (DX)
	ADDQ $32, DX
	LEAQ (DI)(R8*8), DI
	SUBQ $8, CX
	JMP dr8group
drgroup:
	TESTQ CX, CX
	JLE drdone
	MOVQ DI, BX
	LEAQ (DI)(R8*1), R9
	LEAQ (DI)(R8*2), R12
	LEAQ (R9)(R8*2), R13
	CMPQ CX, $4
	JGE drfull
	CMPQ CX, $2
	CMOVQLT SI, R9
	CMPQ CX, $3
	CMOVQLT SI, R12
	MOVQ SI, R13
drfull:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ AX, AX
drcol:
	VMOVUPS (SI)(AX*4), Y4
	VFMADD231PS (BX)(AX*4), Y4, Y0
	VFMADD231PS (R9)(AX*4), Y4, Y1
	VFMADD231PS (R12)(AX*4), Y4, Y2
	VFMADD231PS (R13)(AX*4), Y4, Y3
	ADDQ $8, AX
	CMPQ AX, R10
	JLT drcol
	VHADDPS Y1, Y0, Y0
	VHADDPS Y3, Y2, Y2
	VHADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VMULPS X5, X0, X0
	CMPQ CX, $4
	JLT drtail
	VMOVUPS X0, (DX)
	ADDQ $16, DX
	LEAQ (DI)(R8*4), DI
	SUBQ $4, CX
	JMP drgroup
drtail:  // scalar stores: masked stores are slow on AMD
	VMOVSS X0, (DX)
	CMPQ CX, $2
	JLT drdone
	VEXTRACTPS $1, X0, 4(DX)
	CMPQ CX, $3
	JLT drdone
	VEXTRACTPS $2, X0, 8(DX)
drdone:
	VZEROUPPER
	RET

// func axpyRows32(p, v *float32, ldv, n, hd int, out *float32)
// out[c] += sum_j p[j]*v[j*ldv+c], hd a positive multiple of 8: per 8-column
// chunk, four accumulators take j = 0,1,2,3 mod 4 in increasing j, then
// out + ((a0+a1)+(a2+a3)).
TEXT ·axpyRows32(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), SI
	MOVQ v+8(FP), DI
	MOVQ ldv+16(FP), R8
	SHLQ $2, R8
	MOVQ n+24(FP), CX
	MOVQ hd+32(FP), R10
	MOVQ out+40(FP), DX
	TESTQ CX, CX
	JZ axdone
	XORQ AX, AX
	// 32-column blocks: eight accumulators, even and odd j, then out + (even+odd).
ax32:
	MOVQ R10, R11
	SUBQ AX, R11
	CMPQ R11, $32
	JLT axchunk
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ DI, BX
	MOVQ SI, R9
	MOVQ CX, R13
	SHRQ $1, R13
	JZ ax32odd
ax32pair:
	VBROADCASTSS (R9), Y8
	VFMADD231PS 0(BX)(AX*4), Y8, Y0
	VFMADD231PS 32(BX)(AX*4), Y8, Y1
	VFMADD231PS 64(BX)(AX*4), Y8, Y2
	VFMADD231PS 96(BX)(AX*4), Y8, Y3
	ADDQ R8, BX
	VBROADCASTSS 4(R9), Y9
	VFMADD231PS 0(BX)(AX*4), Y9, Y4
	VFMADD231PS 32(BX)(AX*4), Y9, Y5
	VFMADD231PS 64(BX)(AX*4), Y9, Y6
	VFMADD231PS 96(BX)(AX*4), Y9, Y7
	ADDQ R8, BX
	ADDQ $8, R9
	DECQ R13
	JNZ ax32pair
ax32odd:
	TESTQ $1, CX
	JZ ax32sum
	VBROADCASTSS (R9), Y8
	VFMADD231PS 0(BX)(AX*4), Y8, Y0
	VFMADD231PS 32(BX)(AX*4), Y8, Y1
	VFMADD231PS 64(BX)(AX*4), Y8, Y2
	VFMADD231PS 96(BX)(AX*4), Y8, Y3
ax32sum:
	VADDPS Y4, Y0, Y0
	VADDPS 0(DX)(AX*4), Y0, Y0
	VMOVUPS Y0, 0(DX)(AX*4)
	VADDPS Y5, Y1, Y1
	VADDPS 32(DX)(AX*4), Y1, Y1
	VMOVUPS Y1, 32(DX)(AX*4)
	VADDPS Y6, Y2, Y2
	VADDPS 64(DX)(AX*4), Y2, Y2
	VMOVUPS Y2, 64(DX)(AX*4)
	VADDPS Y7, Y3, Y3
	VADDPS 96(DX)(AX*4), Y3, Y3
	VMOVUPS Y3, 96(DX)(AX*4)
	ADDQ $32, AX
	JMP ax32
axchunk:
	CMPQ AX, R10
	JGE axdone
axchunk8:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ DI, BX
	MOVQ SI, R9
	MOVQ CX, R11
	SHRQ $2, R11
	JZ axrest
axquad:
	VBROADCASTSS 0(R9), Y4
	VFMADD231PS (BX)(AX*4), Y4, Y0
	ADDQ R8, BX
	VBROADCASTSS 4(R9), Y4
	VFMADD231PS (BX)(AX*4), Y4, Y1
	ADDQ R8, BX
	VBROADCASTSS 8(R9), Y4
	VFMADD231PS (BX)(AX*4), Y4, Y2
	ADDQ R8, BX
	VBROADCASTSS 12(R9), Y4
	VFMADD231PS (BX)(AX*4), Y4, Y3
	ADDQ R8, BX
	ADDQ $16, R9
	DECQ R11
	JNZ axquad
axrest:
	MOVQ CX, R11
	ANDQ $3, R11
	JZ axsum
	VBROADCASTSS 0(R9), Y4
	VFMADD231PS (BX)(AX*4), Y4, Y0
	ADDQ R8, BX
	DECQ R11
	JZ axsum
	VBROADCASTSS 4(R9), Y4
	VFMADD231PS (BX)(AX*4), Y4, Y1
	ADDQ R8, BX
	DECQ R11
	JZ axsum
	VBROADCASTSS 8(R9), Y4
	VFMADD231PS (BX)(AX*4), Y4, Y2
	ADDQ R8, BX
axsum:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VADDPS (DX)(AX*4), Y0, Y0
	VMOVUPS Y0, (DX)(AX*4)
	ADDQ $8, AX
	CMPQ AX, R10
	JLT axchunk8
axdone:
	VZEROUPPER
	RET

// func gerRows32(s, x, dst *float32, ldd, n, hd int)
// dst[j*ldd+c] += s[j]*x[c], hd a positive multiple of 8.
TEXT ·gerRows32(SB), NOSPLIT, $0-48
	MOVQ s+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ dst+16(FP), DX
	MOVQ ldd+24(FP), R8
	SHLQ $2, R8
	MOVQ n+32(FP), CX
	MOVQ hd+40(FP), R10
	TESTQ CX, CX
	JZ grdone
grrow:
	VBROADCASTSS (SI), Y1
	XORQ AX, AX
grcol:
	VMOVUPS (DX)(AX*4), Y0
	VFMADD231PS (DI)(AX*4), Y1, Y0
	VMOVUPS Y0, (DX)(AX*4)
	ADDQ $8, AX
	CMPQ AX, R10
	JLT grcol
	ADDQ $4, SI
	ADDQ R8, DX
	DECQ CX
	JNZ grrow
grdone:
	VZEROUPPER
	RET

// func expSub32(x *float32, n int, sub float32) float32
// x[i] = exp(x[i]-sub) in place; returns the sum (8 lane sums, then a fixed
// horizontal order). The tail is processed with a masked load/store so
// every element goes through the same arithmetic.
TEXT ·expSub32(SB), NOSPLIT, $32-28
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS sub+16(FP), Y15
	VBROADCASTSS ·expHi(SB), Y14
	VBROADCASTSS ·expLo(SB), Y13
	VBROADCASTSS ·expLog2e(SB), Y12
	VBROADCASTSS ·expLn2Hi(SB), Y11
	VBROADCASTSS ·expLn2Lo(SB), Y10
	VXORPS Y9, Y9, Y9  // running sum
exloop:
	CMPQ CX, $8
	JLT extail
	VMOVUPS (SI), Y0
	CALL expcore<>(SB)
	VMOVUPS Y0, (SI)
	VADDPS Y0, Y9, Y9
	ADDQ $32, SI
	SUBQ $8, CX
	JMP exloop
extail:
	TESTQ CX, CX
	JZ exsum
	// mask lanes [0, CX): compare lane index < CX
	VMOVUPS ·laneIdx(SB), Y8
	MOVQ CX, X7
	VPBROADCASTD X7, Y7
	VPCMPGTD Y8, Y7, Y8  // Y8 = (CX > idx) ? -1 : 0
	VMASKMOVPS (SI), Y8, Y0
	CALL expcore<>(SB)
	VANDPS Y8, Y0, Y0
	VADDPS Y0, Y9, Y9
	// store the CX valid lanes one by one (masked stores are slow on AMD)
	VMOVUPS Y0, 0(SP)
	XORQ BX, BX
exstore:
	MOVL (SP)(BX*4), AX
	MOVL AX, (SI)(BX*4)
	INCQ BX
	CMPQ BX, CX
	JLT exstore
exsum:
	VEXTRACTF128 $1, Y9, X1
	VADDPS X1, X9, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// expcore: Y0 = exp(Y0 - Y15); uses Y1-Y6; constants in Y10-Y14.
TEXT expcore<>(SB), NOSPLIT, $0-0
	VSUBPS Y15, Y0, Y0
	VMINPS Y14, Y0, Y0
	VMAXPS Y13, Y0, Y0
	VMULPS Y12, Y0, Y1
	VROUNDPS $0, Y1, Y1   // n = round(x*log2e)
	VFNMADD231PS Y11, Y1, Y0  // r = x - n*ln2hi
	VFNMADD231PS Y10, Y1, Y0  // r -= n*ln2lo
	VBROADCASTSS ·expP0(SB), Y2
	VBROADCASTSS ·expP1(SB), Y3
	VFMADD213PS Y3, Y0, Y2  // p = p*r + c
	VBROADCASTSS ·expP2(SB), Y3
	VFMADD213PS Y3, Y0, Y2  // p = p*r + c
	VBROADCASTSS ·expP3(SB), Y3
	VFMADD213PS Y3, Y0, Y2  // p = p*r + c
	VBROADCASTSS ·expP4(SB), Y3
	VFMADD213PS Y3, Y0, Y2  // p = p*r + c
	VBROADCASTSS ·expP5(SB), Y3
	VFMADD213PS Y3, Y0, Y2  // p = p*r + c
	VMULPS Y0, Y0, Y4      // r*r
	VBROADCASTSS ·expOne(SB), Y5
	VADDPS Y5, Y0, Y6  // 1 + r
	VFMADD231PS Y4, Y2, Y6  // y = p*r*r + r + 1
	VCVTPS2DQ Y1, Y1
	VPSLLD $23, Y1, Y1
	VPADDD Y1, Y6, Y0   // y * 2^n
	RET

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET
// func geluFwd32(u, out *float32, n int)
// out[i] = u/2·(1 + tanh(c·(u + 0.044715u³))).
TEXT ·geluFwd32(SB), NOSPLIT, $0-24
	MOVQ u+0(FP), SI
	MOVQ out+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSS ·expHi(SB), Y14
	VBROADCASTSS ·expLo(SB), Y13
	VBROADCASTSS ·expLog2e(SB), Y12
	VBROADCASTSS ·expLn2Hi(SB), Y11
	VBROADCASTSS ·expLn2Lo(SB), Y10
	VXORPS Y15, Y15, Y15
geluFwd32loop:
	CMPQ CX, $8
	JLT geluFwd32tail
	VMOVUPS (SI), Y7
	VMULPS Y7, Y7, Y8
	VBROADCASTSS ·geluK(SB), Y0
	VMULPS Y8, Y0, Y0
	VFMADD213PS Y7, Y7, Y0
	VBROADCASTSS ·gelu2C(SB), Y1
	VMULPS Y1, Y0, Y0
	CALL expcore<>(SB)
	VBROADCASTSS ·expOne(SB), Y1
	VADDPS Y1, Y0, Y0
	VBROADCASTSS ·geluTwo(SB), Y2
	VDIVPS Y0, Y2, Y2
	VSUBPS Y2, Y1, Y2  // t = tanh
	VADDPS Y1, Y2, Y3  // 1+t
	VBROADCASTSS ·geluHalf(SB), Y6
	VMULPS Y7, Y3, Y3
	VMULPS Y6, Y3, Y3
	VMOVUPS Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP geluFwd32loop
geluFwd32tail:
	TESTQ CX, CX
	JZ geluFwd32done
	VMOVUPS ·laneIdx(SB), Y9
	MOVQ CX, X7
	VPBROADCASTD X7, Y7
	VPCMPGTD Y9, Y7, Y9
	VMASKMOVPS (SI), Y9, Y7
	VMULPS Y7, Y7, Y8
	VBROADCASTSS ·geluK(SB), Y0
	VMULPS Y8, Y0, Y0
	VFMADD213PS Y7, Y7, Y0
	VBROADCASTSS ·gelu2C(SB), Y1
	VMULPS Y1, Y0, Y0
	CALL expcore<>(SB)
	VBROADCASTSS ·expOne(SB), Y1
	VADDPS Y1, Y0, Y0
	VBROADCASTSS ·geluTwo(SB), Y2
	VDIVPS Y0, Y2, Y2
	VSUBPS Y2, Y1, Y2  // t = tanh
	VADDPS Y1, Y2, Y3  // 1+t
	VBROADCASTSS ·geluHalf(SB), Y6
	VMULPS Y7, Y3, Y3
	VMULPS Y6, Y3, Y3
	VMASKMOVPS Y3, Y9, (DI)
geluFwd32done:
	VZEROUPPER
	RET

// func geluBwd32(u, du *float32, n int)
// du[i] *= gelu'(u[i]) (tanh approximation).
TEXT ·geluBwd32(SB), NOSPLIT, $0-24
	MOVQ u+0(FP), SI
	MOVQ du+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSS ·expHi(SB), Y14
	VBROADCASTSS ·expLo(SB), Y13
	VBROADCASTSS ·expLog2e(SB), Y12
	VBROADCASTSS ·expLn2Hi(SB), Y11
	VBROADCASTSS ·expLn2Lo(SB), Y10
	VXORPS Y15, Y15, Y15
geluBwd32loop:
	CMPQ CX, $8
	JLT geluBwd32tail
	VMOVUPS (SI), Y7
	VMULPS Y7, Y7, Y8
	VBROADCASTSS ·geluK(SB), Y0
	VMULPS Y8, Y0, Y0
	VFMADD213PS Y7, Y7, Y0
	VBROADCASTSS ·gelu2C(SB), Y1
	VMULPS Y1, Y0, Y0
	CALL expcore<>(SB)
	VBROADCASTSS ·expOne(SB), Y1
	VADDPS Y1, Y0, Y0
	VBROADCASTSS ·geluTwo(SB), Y2
	VDIVPS Y0, Y2, Y2
	VSUBPS Y2, Y1, Y2  // t = tanh
	VADDPS Y1, Y2, Y3  // 1+t
	VBROADCASTSS ·geluHalf(SB), Y6
	VMULPS Y6, Y3, Y3  // (1+t)/2
	VMULPS Y2, Y2, Y4
	VSUBPS Y4, Y1, Y4  // 1-t²
	VBROADCASTSS ·gelu3K(SB), Y5
	VFMADD213PS Y1, Y8, Y5  // 1+3k·u²
	VMULPS Y5, Y4, Y4
	VMULPS Y7, Y4, Y4
	VBROADCASTSS ·geluHalfC(SB), Y5
	VMULPS Y5, Y4, Y4
	VADDPS Y4, Y3, Y3
	VMULPS (DI), Y3, Y3
	VMOVUPS Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP geluBwd32loop
geluBwd32tail:
	TESTQ CX, CX
	JZ geluBwd32done
	VMOVUPS ·laneIdx(SB), Y9
	MOVQ CX, X7
	VPBROADCASTD X7, Y7
	VPCMPGTD Y9, Y7, Y9
	VMASKMOVPS (SI), Y9, Y7
	VMULPS Y7, Y7, Y8
	VBROADCASTSS ·geluK(SB), Y0
	VMULPS Y8, Y0, Y0
	VFMADD213PS Y7, Y7, Y0
	VBROADCASTSS ·gelu2C(SB), Y1
	VMULPS Y1, Y0, Y0
	CALL expcore<>(SB)
	VBROADCASTSS ·expOne(SB), Y1
	VADDPS Y1, Y0, Y0
	VBROADCASTSS ·geluTwo(SB), Y2
	VDIVPS Y0, Y2, Y2
	VSUBPS Y2, Y1, Y2  // t = tanh
	VADDPS Y1, Y2, Y3  // 1+t
	VBROADCASTSS ·geluHalf(SB), Y6
	VMULPS Y6, Y3, Y3  // (1+t)/2
	VMULPS Y2, Y2, Y4
	VSUBPS Y4, Y1, Y4  // 1-t²
	VBROADCASTSS ·gelu3K(SB), Y5
	VFMADD213PS Y1, Y8, Y5  // 1+3k·u²
	VMULPS Y5, Y4, Y4
	VMULPS Y7, Y4, Y4
	VBROADCASTSS ·geluHalfC(SB), Y5
	VMULPS Y5, Y4, Y4
	VADDPS Y4, Y3, Y3
	VMASKMOVPS (DI), Y9, Y4
	VMULPS Y4, Y3, Y3
	VMASKMOVPS Y3, Y9, (DI)
geluBwd32done:
	VZEROUPPER
	RET

// func adamStep32(p, grad, m, v *float32, n int, k *adamCoeffs32)
// One AdamW update of n (a multiple of 8) elements; k holds clip, b1, 1-b1,
// b2, 1-b2, 1/sqrt(bias2), eps, step size, decay factor.
TEXT ·adamStep32(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), SI
	MOVQ grad+8(FP), DI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ k+40(FP), AX
	VBROADCASTSS 0(AX), Y7
	VBROADCASTSS 4(AX), Y8
	VBROADCASTSS 8(AX), Y9
	VBROADCASTSS 12(AX), Y10
	VBROADCASTSS 16(AX), Y11
	VBROADCASTSS 20(AX), Y12
	VBROADCASTSS 24(AX), Y13
	VBROADCASTSS 28(AX), Y14
	VBROADCASTSS 32(AX), Y15
	SHRQ $3, CX
	JZ addone
	XORQ BX, BX
adloop:
	VMULPS (DI)(BX*4), Y7, Y0       // G = g*clip
	VMULPS (R8)(BX*4), Y8, Y1       // M = b1*m
	VFMADD231PS Y0, Y9, Y1          // M += (1-b1)*G
	VMULPS Y0, Y0, Y2               // G*G
	VMULPS (R9)(BX*4), Y10, Y3      // V = b2*v
	VFMADD231PS Y2, Y11, Y3         // V += (1-b2)*G*G
	VMOVUPS Y1, (R8)(BX*4)
	VMOVUPS Y3, (R9)(BX*4)
	VSQRTPS Y3, Y4
	VFMADD213PS Y13, Y12, Y4      // D = sqrt(V)*invBc2 + eps
	VMULPS Y14, Y1, Y5              // U = step*M
	VDIVPS Y4, Y5, Y5               // U /= D
	VMULPS (SI)(BX*4), Y15, Y6      // P = p*decay
	VSUBPS Y5, Y6, Y6
	VMOVUPS Y6, (SI)(BX*4)
	ADDQ $8, BX
	DECQ CX
	JNZ adloop
addone:
	VZEROUPPER
	RET

