// SmallGemm (native/small_gemm.cc) against libtorch's addmm_out, the call it replaces in the recurrent
// steps, on [B, 256] @ [256, N] for batch sizes around its bound (kSmallGemmMaxRows) and the widths of
// an RNN's (256), a GRU's (768) and an LSTM's (1024) recurrent products: microseconds per call on one
// thread, and the largest difference between the two results relative to the largest value.
//
// Run: npm run bench:small-gemm   (against Debian's libtorch: builds this file into /tmp and runs it with
//      OpenBLAS on one thread, as the fused RNNs run it)
#include <torch/torch.h>

#include <chrono>
#include <cstdio>

#include "../native/small_gemm.h"

namespace {

// Microseconds per call of fn, after a warm-up.
template <typename F>
double PerCall(int iters, F fn) {
  for (int i = 0; i < 200; i++) fn();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; i++) fn();
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / iters;
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // rows as they come
  torch::set_num_threads(1);
  if (!ts::SmallGemmAvailable()) {
    std::printf("this CPU has no AVX2/FMA: SmallGemm is not used here\n");
    return 0;
  }
  const int64_t H = 256;
  std::printf("[B, %ld] @ [%ld, N]: addmm_out vs SmallGemm, us per call (one thread)\n", H, H);
  for (int64_t N : {256, 768, 1024}) {
    const torch::Tensor w = torch::randn({N, H});
    const torch::Tensor wT = w.t().contiguous();
    for (int64_t B : {1, 2, 4, 8, 12, 15, 16, 24, 32, 64}) {
      torch::Tensor h = torch::randn({B, H}), base = torch::randn({B, N});
      torch::Tensor viaAddmm = torch::empty({B, N}), viaSmall = torch::empty({B, N});
      const int iters = 20000 / (1 + static_cast<int>(B) / 8);
      const double a = PerCall(iters, [&] { torch::addmm_out(viaAddmm, base, h, w.t()); });
      const double s = PerCall(iters, [&] {
        ts::SmallGemm(viaSmall.data_ptr<float>(), N, base.data_ptr<float>(), N, h.data_ptr<float>(), H, wT.data_ptr<float>(), B, H, N);
      });
      const double rel = (viaAddmm - viaSmall).abs().max().item<float>() / viaAddmm.abs().max().item<float>();
      std::printf("N %4ld  B %3ld  addmm %7.2f  SmallGemm %7.2f  ratio %.2f%s  max rel diff %.1e\n", N, B, a, s, s / a,
                  B <= ts::kSmallGemmMaxRows ? " (used)" : "", rel);
    }
  }
  return 0;
}
