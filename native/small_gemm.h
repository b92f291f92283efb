// The recurrent product of one RNN/LSTM/GRU step, out = base + h @ W^T, for the small batches of a
// sequence's tail and of serving, where a general GEMM spends most of its time packing W (see
// small_gemm.cc).
#pragma once

#include <cstdint>

namespace ts {

// Batches up to this size use SmallGemm. Against OpenBLAS on [B, 256] @ [256, 256 | 768 | 1024] it wins
// by the most at the smallest B (packing W dominates there) and draws level at 16, a multiple of
// OpenBLAS's unroll; beyond that OpenBLAS's blocking is faster (docs/benchmarks.md, "Serving").
constexpr int64_t kSmallGemmMaxRows = 15;

// Whether a step of `rows` rows should use SmallGemm.
bool UseSmallGemm(int64_t rows);

// Whether this CPU runs SmallGemm (x86-64 with AVX2 and FMA); elsewhere callers keep libtorch's addmm.
bool SmallGemmAvailable();

// out[b, n] = base[b, n] + sum_k h[b, k] * wT[k, n] for b < B, n < N, k < K (float32, row-major).
// Row strides: ldo for out, ldb for base (0: one row shared by every b), ldh for h; wT is [K, N]
// contiguous. out may alias base. Each element is base plus K fused multiply-adds in order k = 0..K-1,
// whatever B and wherever the element sits in the batch: a text's result does not depend on the others'.
void SmallGemm(float* out, int64_t ldo, const float* base, int64_t ldb, const float* h, int64_t ldh, const float* wT,
               int64_t B, int64_t K, int64_t N);

}  // namespace ts
