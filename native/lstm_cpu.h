// The fused CPU LSTM (lstm_cpu.cc), used by nn.cc's rnn() and rnnPacked() in place of libtorch's CPU LSTM
// when the fused CPU RNN switch (rnn_cpu.h) is on.
#pragma once

#include <torch/torch.h>

#include <tuple>
#include <vector>

namespace ts {

// Whether FusedCpuLstm applies (the switch aside): float32 input on the CPU, dense 3-D or packed 2-D
// data, weights with biases, float32 CPU weights and states. Otherwise libtorch's path runs and gives
// its own errors.
bool CanUseFusedCpuLstm(const torch::Tensor& input, bool packed, const std::vector<torch::Tensor>& hx,
                        const std::vector<torch::Tensor>& params, bool hasBiases);

// PyTorch's lstm over dense input ([T, B, I], or [B, T, I] with batchFirst): returns output, hN, cN.
std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> FusedCpuLstm(const torch::Tensor& input,
                                                                     const std::vector<torch::Tensor>& hx,
                                                                     const std::vector<torch::Tensor>& params, int64_t layers,
                                                                     double dropout, bool train, bool bidirectional,
                                                                     bool batchFirst);

// PyTorch's lstm over a packed sequence (data [sum(batchSizes), I], batchSizes int64 on the CPU,
// non-increasing): returns the packed output data, hN, cN (each sequence's state after its own last
// step).
std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> FusedCpuLstmPacked(const torch::Tensor& data,
                                                                           const torch::Tensor& batchSizes,
                                                                           const std::vector<torch::Tensor>& hx,
                                                                           const std::vector<torch::Tensor>& params,
                                                                           int64_t layers, double dropout, bool train,
                                                                           bool bidirectional);

}  // namespace ts
