// The fused CPU Elman RNN (rnn_cpu.cc), used by nn.cc's rnn() for dense CPU input when the
// environment's switch (AddonData::fusedCpuRnn, backends.setFusedCpuRnn) is on.
#pragma once

#include <torch/torch.h>

#include <tuple>
#include <vector>

namespace ts {

// Whether FusedCpuRnn can run this call: dense 3-D float32 input on the CPU, weights with biases.
bool CanUseFusedCpuRnn(const torch::Tensor& input, const std::vector<torch::Tensor>& params, bool hasBiases);
std::tuple<torch::Tensor, torch::Tensor> FusedCpuRnn(const torch::Tensor& input, const torch::Tensor& hx,
                                                     const std::vector<torch::Tensor>& params, int64_t layers, double dropout,
                                                     bool train, bool bidirectional, bool batchFirst, bool relu);

}  // namespace ts
