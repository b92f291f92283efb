// SmallGemm: out = base + h @ W^T for a few rows, with W^T laid out [K, N] once per sequence.
//
// Why: a recurrent step multiplies a [B, H] state by the [H, H] (or [H, 4H]) recurrent weight. OpenBLAS
// packs both operands on every call, so for a small B it spends most of a step copying W, which is far
// more data than the product's B * H inputs (docs/benchmarks.md, "Serving", has the figures). Serving a
// batch of reviews sorted by length ends with the longest few running alone for hundreds of steps, and
// a packed batch's last steps have few sequences left, so these small products weigh.
//
// How: a register-blocked kernel: R rows of h times V vectors of 8 outputs live in R*V accumulators; for
// each k, V loads of W^T's row and R broadcasts of h feed R*V FMAs. Every element is computed in the same
// order (base, then k = 0..K-1 by FMA) by the vector and the scalar tail alike, so the result of one row
// does not depend on B or on the blocking. The AVX2 code is compiled for that target alone and chosen
// at run time; on other CPUs SmallGemmAvailable() is false and the callers keep libtorch's addmm.
#include "small_gemm.h"

#include <cmath>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define TS_SMALL_GEMM_AVX2 1
#endif

namespace ts {

#ifdef TS_SMALL_GEMM_AVX2
namespace {

#define TS_AVX2 __attribute__((target("avx2,fma")))

// Rows [0, R) of the block, output columns [n, n + 8V).
template <int R, int V>
TS_AVX2 inline void Block(float* out, int64_t ldo, const float* base, int64_t ldb, const float* h, int64_t ldh, const float* wT,
                          int64_t K, int64_t N, int64_t n) {
  __m256 acc[R][V];
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 8
    for (int v = 0; v < V; v++) acc[r][v] = _mm256_loadu_ps(base + r * ldb + n + 8 * v);
  const float* w = wT + n;
  for (int64_t k = 0; k < K; k++, w += N) {
    __m256 wv[V];
#pragma GCC unroll 8
    for (int v = 0; v < V; v++) wv[v] = _mm256_loadu_ps(w + 8 * v);
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
      const __m256 hv = _mm256_broadcast_ss(h + r * ldh + k);
#pragma GCC unroll 8
      for (int v = 0; v < V; v++) acc[r][v] = _mm256_fmadd_ps(hv, wv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 8
    for (int v = 0; v < V; v++) _mm256_storeu_ps(out + r * ldo + n + 8 * v, acc[r][v]);
}

// R rows: blocks of V vectors, then single vectors, then scalar columns (the same FMA order).
template <int R, int V>
TS_AVX2 void Rows(float* out, int64_t ldo, const float* base, int64_t ldb, const float* h, int64_t ldh, const float* wT, int64_t K,
                  int64_t N) {
  int64_t n = 0;
  for (; n + 8 * V <= N; n += 8 * V) Block<R, V>(out, ldo, base, ldb, h, ldh, wT, K, N, n);
  for (; n + 8 <= N; n += 8) Block<R, 1>(out, ldo, base, ldb, h, ldh, wT, K, N, n);
  for (; n < N; n++) {
    for (int r = 0; r < R; r++) {
      float s = base[r * ldb + n];
      for (int64_t k = 0; k < K; k++) s = std::fma(h[r * ldh + k], wT[k * N + n], s);
      out[r * ldo + n] = s;
    }
  }
}

TS_AVX2 void SmallGemmAvx2(float* out, int64_t ldo, const float* base, int64_t ldb, const float* h, int64_t ldh, const float* wT,
                           int64_t B, int64_t K, int64_t N) {
  // Twelve accumulators where the rows allow (FMA latency 4 x 2 per cycle needs 8+ in flight), leaving
  // registers for W's vectors and the broadcast.
  int64_t b = 0;
  for (; b + 6 <= B; b += 6) Rows<6, 2>(out + b * ldo, ldo, base + b * ldb, ldb, h + b * ldh, ldh, wT, K, N);
  const int64_t left = B - b;
  out += b * ldo;
  base += b * ldb;
  h += b * ldh;
  switch (left) {
    case 5: Rows<5, 2>(out, ldo, base, ldb, h, ldh, wT, K, N); break;
    case 4: Rows<4, 3>(out, ldo, base, ldb, h, ldh, wT, K, N); break;
    case 3: Rows<3, 4>(out, ldo, base, ldb, h, ldh, wT, K, N); break;
    case 2: Rows<2, 6>(out, ldo, base, ldb, h, ldh, wT, K, N); break;
    case 1: Rows<1, 8>(out, ldo, base, ldb, h, ldh, wT, K, N); break;
    default: break;
  }
}

}  // namespace

bool UseSmallGemm(int64_t rows) { return rows <= kSmallGemmMaxRows && SmallGemmAvailable(); }

bool SmallGemmAvailable() {
  static const bool available = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return available;
}

void SmallGemm(float* out, int64_t ldo, const float* base, int64_t ldb, const float* h, int64_t ldh, const float* wT, int64_t B,
               int64_t K, int64_t N) {
  SmallGemmAvx2(out, ldo, base, ldb, h, ldh, wT, B, K, N);
}

#else

bool UseSmallGemm(int64_t) { return false; }

bool SmallGemmAvailable() { return false; }

void SmallGemm(float*, int64_t, const float*, int64_t, const float*, int64_t, const float*, int64_t, int64_t, int64_t) {}

#endif

}  // namespace ts
