// The fused CPU LSTM and GRU, dense and packed, and the packed Elman RNN (gated_rnn_cpu.cc), used by
// nn.cc's rnn() and rnnPacked() in place of libtorch's CPU implementations when the fused CPU RNN switch (rnn_cpu.h) is on.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

namespace ts {

// Whether FusedCpuGatedRnn applies (the switch aside): mode "lstm" or "gru" on dense 3-D or packed 2-D
// data, or "rnn_tanh" / "rnn_relu" on packed data (dense Elman RNNs run in rnn_cpu.h's FusedCpuRnn);
// float32 input on the CPU, weights with biases, float32 CPU weights and states. Otherwise libtorch's
// path runs and gives its own errors.
bool CanUseFusedCpuGatedRnn(const std::string& mode, const torch::Tensor& input, bool packed, const std::vector<torch::Tensor>& hx,
                            const std::vector<torch::Tensor>& params, bool hasBiases);

// PyTorch's lstm (mode "lstm"; hx [h0, c0]), gru or Elman rnn ("gru", "rnn_tanh", "rnn_relu"; hx [h0]) over dense input ([T, B, I], [B, T, I] with
// batchFirst) when batchSizes is undefined, or over a packed sequence (data [sum(batchSizes), I],
// batchSizes int64 on the CPU, non-increasing; batchFirst ignored). Returns [output, hN] or, for the
// LSTM, [output, hN, cN]; packed, the output is the packed data and each sequence's final state is the
// one after its own last step.
std::vector<torch::Tensor> FusedCpuGatedRnn(const std::string& mode, const torch::Tensor& input, const torch::Tensor& batchSizes,
                                            const std::vector<torch::Tensor>& hx, const std::vector<torch::Tensor>& params,
                                            int64_t layers, double dropout, bool train, bool bidirectional, bool batchFirst);

// One step's recurrent part, added in place: rows [r0, r0 + n) of the pre-activations `pre` [N, G]
// (contiguous) += h[:n] @ W_hh^T, with h's rows contiguous. Small n takes SmallGemm (small_gemm.h), with
// W_hh^T laid out once in `wHhTc` at the first small step (packed batches shrink as sequences end);
// larger n libtorch's addmm. Shared by every fused layer: the LSTM, the GRU and the Elman RNN, packed
// here and dense in rnn_cpu.cc.
void AddRecurrent(const torch::Tensor& pre, int64_t r0, int64_t n, const torch::Tensor& h, const torch::Tensor& wHh, torch::Tensor& wHhTc);

}  // namespace ts
