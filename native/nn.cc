// Functional neural-network ops behind lib/nn: embedding, linear, recurrent layers (dense and packed),
// convolutions, pooling, dropout, softmax and losses. Modules and parameters live in TypeScript.
#include "addon.h"
#include "convert.h"
#include "gated_rnn_cpu.h"
#include "rnn_cpu.h"

namespace ts {
namespace {

using torch::Tensor;

Napi::Value Embedding(const Napi::CallbackInfo& info) {
  const Tensor& weight = Unwrap(info[0], "weight");
  const Tensor& indices = Unwrap(info[1], "input");
  int64_t paddingIdx = Int(info[2], "paddingIdx");  // -1: none
  return Wrap(info.Env(), torch::embedding(weight, indices, paddingIdx, /*scale_grad_by_freq=*/false, /*sparse=*/false));
}

// embeddingBag(weight, input, offsets, mode, perSampleWeights?, includeLastOffset, paddingIdx) -> output.
// mode: 0 sum, 1 mean, 2 max (libtorch's codes). paddingIdx -1: none. The 1-d input/offsets form only;
// lib/nn/embedding-bag.ts turns PyTorch's 2-d input into it.
Napi::Value EmbeddingBag(const Napi::CallbackInfo& info) {
  int64_t paddingIdx = Int(info[6], "paddingIdx");
  auto r = torch::embedding_bag(Unwrap(info[0], "weight"), Unwrap(info[1], "input"), Unwrap(info[2], "offsets"),
                                /*scale_grad_by_freq=*/false, Int(info[3], "mode"), /*sparse=*/false,
                                OptionalTensor(info[4], "perSampleWeights"), Bool(info[5], "includeLastOffset"),
                                paddingIdx < 0 ? c10::nullopt : c10::optional<int64_t>(paddingIdx));
  return Wrap(info.Env(), std::get<0>(r));
}

Napi::Value Linear(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), torch::linear(Unwrap(info[0], "input"), Unwrap(info[1], "weight"), OptionalTensor(info[2], "bias")));
}

Napi::Array Tuple(Napi::Env env, std::initializer_list<Tensor> tensors) { return WrapList(env, tensors); }

// The arguments the dense and packed recurrent calls share, from info[first] on:
// hx[], params[], hasBiases, numLayers, dropout, train, bidirectional.
struct Recurrent {
  std::string mode;
  std::vector<Tensor> hx, params;
  bool hasBiases, train, bidirectional;
  int64_t layers;
  double dropout;

  Recurrent(const Napi::CallbackInfo& info, size_t first)
      : mode(String(info[0], "mode")),
        hx(UnwrapList(info[first], "hx")),
        params(UnwrapList(info[first + 1], "params")),
        hasBiases(Bool(info[first + 2], "bias")),
        train(Bool(info[first + 5], "train")),
        bidirectional(Bool(info[first + 6], "bidirectional")),
        layers(Int(info[first + 3], "numLayers")),
        dropout(Number(info[first + 4], "dropout")) {
    size_t states = mode == "lstm" ? 2 : 1;
    if (mode != "lstm" && mode != "gru" && mode != "rnn_tanh" && mode != "rnn_relu") ThrowType(info.Env(), "unknown rnn mode " + mode);
    if (hx.size() != states) ThrowType(info.Env(), mode == "lstm" ? "lstm needs [h0, c0]" : "rnn and gru need [h0]");
  }

  // Calls libtorch's op for the mode: lstm(hx) or simple(op, h0) with op one of torch::rnn_tanh,
  // torch::rnn_relu, torch::gru (as a generic lambda), and returns [output, hN(, cN)].
  template <typename Lstm, typename Simple>
  Napi::Value Run(Napi::Env env, Lstm lstm, Simple simple) const {
    if (mode == "lstm") {
      auto r = lstm();
      return Tuple(env, {std::get<0>(r), std::get<1>(r), std::get<2>(r)});
    }
    std::tuple<Tensor, Tensor> r = mode == "rnn_tanh" ? simple([](auto&&... a) { return torch::rnn_tanh(a...); })
                                   : mode == "rnn_relu" ? simple([](auto&&... a) { return torch::rnn_relu(a...); })
                                                        : simple([](auto&&... a) { return torch::gru(a...); });
    return Tuple(env, {std::get<0>(r), std::get<1>(r)});
  }
};

// rnn(mode, input, hx[], params[], hasBiases, numLayers, dropout, train, bidirectional, batchFirst)
//   -> [output, hN] or, for "lstm", [output, hN, cN]
Napi::Value Rnn(const Napi::CallbackInfo& info) {
  const Tensor& input = Unwrap(info[1], "input");
  Recurrent a(info, 2);
  bool batchFirst = Bool(info[9], "batchFirst");
  bool elman = a.mode == "rnn_tanh" || a.mode == "rnn_relu";
  if (elman && Data(info.Env())->fusedCpuRnn && CanUseFusedCpuRnn(input, a.params, a.hasBiases)) {
    auto r = FusedCpuRnn(input, a.hx[0], a.params, a.layers, a.dropout, a.train, a.bidirectional, batchFirst, a.mode == "rnn_relu");
    return Tuple(info.Env(), {std::get<0>(r), std::get<1>(r)});
  }
  if (Data(info.Env())->fusedCpuRnn && CanUseFusedCpuGatedRnn(a.mode, input, false, a.hx, a.params, a.hasBiases)) {
    return WrapList(info.Env(), FusedCpuGatedRnn(a.mode, input, Tensor(), a.hx, a.params, a.layers, a.dropout, a.train,
                                                 a.bidirectional, batchFirst));
  }
  return a.Run(
      info.Env(),
      [&] { return torch::lstm(input, a.hx, a.params, a.hasBiases, a.layers, a.dropout, a.train, a.bidirectional, batchFirst); },
      [&](auto op) { return op(input, a.hx[0], a.params, a.hasBiases, a.layers, a.dropout, a.train, a.bidirectional, batchFirst); });
}

// libtorch's packed kernels trust their batch sizes: a 0, a size that grows, or a sum other than data's
// rows writes out of bounds (heap corruption, an abort). lib/nn/rnn.ts's PackedSequence checks the same
// with better messages; this is the backstop, one pass over a few hundred integers.
void CheckBatchSizes(Napi::Env env, const Tensor& data, const Tensor& batchSizes) {
  if (batchSizes.scalar_type() != torch::kInt64 || !batchSizes.device().is_cpu() || batchSizes.dim() != 1 || batchSizes.numel() == 0) {
    ThrowType(env, "batchSizes must be a non-empty 1-D int64 tensor on the CPU");
  }
  if (data.dim() < 1) ThrowType(env, "packed data must have at least 1 dimension");
  Tensor sizes = batchSizes.contiguous();
  const int64_t* b = sizes.data_ptr<int64_t>();
  int64_t sum = 0;
  for (int64_t i = 0; i < sizes.numel(); i++) {
    if (b[i] <= 0 || (i > 0 && b[i] > b[i - 1])) ThrowType(env, "batchSizes must be positive and non-increasing");
    sum += b[i];
  }
  if (sum != data.size(0)) ThrowType(env, "batchSizes must add up to the packed data's rows");
}

// rnnPacked(mode, data, batchSizes, hx[], params[], hasBiases, numLayers, dropout, train, bidirectional)
Napi::Value RnnPacked(const Napi::CallbackInfo& info) {
  const Tensor& data = Unwrap(info[1], "data");
  const Tensor& batchSizes = Unwrap(info[2], "batchSizes");
  Recurrent a(info, 3);
  CheckBatchSizes(info.Env(), data, batchSizes);
  if (Data(info.Env())->fusedCpuRnn && CanUseFusedCpuGatedRnn(a.mode, data, true, a.hx, a.params, a.hasBiases)) {
    return WrapList(info.Env(), FusedCpuGatedRnn(a.mode, data, batchSizes, a.hx, a.params, a.layers, a.dropout, a.train,
                                                 a.bidirectional, /*batchFirst=*/false));
  }
  return a.Run(
      info.Env(),
      [&] { return torch::lstm(data, batchSizes, a.hx, a.params, a.hasBiases, a.layers, a.dropout, a.train, a.bidirectional); },
      [&](auto op) { return op(data, batchSizes, a.hx[0], a.params, a.hasBiases, a.layers, a.dropout, a.train, a.bidirectional); });
}

// packPadded(input, lengths, batchFirst) -> [data, batchSizes]
Napi::Value PackPadded(const Napi::CallbackInfo& info) {
  auto r = torch::_pack_padded_sequence(Unwrap(info[0], "input"), Unwrap(info[1], "lengths"), Bool(info[2], "batchFirst"));
  return Tuple(info.Env(), {std::get<0>(r), std::get<1>(r)});
}

// padPacked(data, batchSizes, batchFirst, paddingValue, totalLength) -> [padded, lengths]
Napi::Value PadPacked(const Napi::CallbackInfo& info) {
  Tensor data = Unwrap(info[0], "data");
  Tensor batchSizes = Unwrap(info[1], "batchSizes");
  CheckBatchSizes(info.Env(), data, batchSizes);
  auto r = torch::_pad_packed_sequence(data, batchSizes, Bool(info[2], "batchFirst"), Scalar(info[3], "paddingValue"),
                                       Int(info[4], "totalLength"));
  return Tuple(info.Env(), {std::get<0>(r), std::get<1>(r)});
}

// flattenRnnWeights(params[], weightsPerLayer, inputSize, mode, hiddenSize, numLayers, batchFirst,
// bidirectional): on CUDA, gathers a recurrent layer's weights into the one buffer cuDNN wants and makes
// each parameter a view into it (identity kept), as PyTorch's flatten_parameters(). Without it cuDNN
// copies the weights at every call and warns each time. A no-op (false) off CUDA or without cuDNN.
Napi::Value FlattenRnnWeights(const Napi::CallbackInfo& info) {
#ifndef TS_SAFE_BUILD
  auto params = UnwrapList(info[0], "params");
  if (params.empty() || !params[0].is_cuda() || !torch::cuda::cudnn_is_available()) return Napi::Boolean::New(info.Env(), false);
  std::string mode = String(info[3], "mode");
  int64_t cudnnMode = mode == "rnn_relu" ? 0 : mode == "rnn_tanh" ? 1 : mode == "lstm" ? 2 : 3;  // cudnnRNNMode_t
  torch::NoGradGuard guard;
  at::_cudnn_rnn_flatten_weight(params, Int(info[1], "weightsPerLayer"), Int(info[2], "inputSize"), cudnnMode,
                                Int(info[4], "hiddenSize"), /*proj_size=*/0, Int(info[5], "numLayers"),
                                Bool(info[6], "batchFirst"), Bool(info[7], "bidirectional"));
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

// setFusedCpuRnn(on) -> previous: whether CPU Elman RNNs, LSTMs and GRUs (dense and packed) use
// the fused layers of rnn_cpu.cc and gated_rnn_cpu.cc (default) or libtorch's step-by-step ones, in
// this environment only (a worker thread has its own switch).
Napi::Value SetFusedCpuRnn(const Napi::CallbackInfo& info) {
  bool on = Bool(info[0], "on");
  AddonData* data = Data(info.Env());
  bool previous = data->fusedCpuRnn;
  data->fusedCpuRnn = on;
  return Napi::Boolean::New(info.Env(), previous);
}

Napi::Value Dropout(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), torch::dropout(Unwrap(info[0], "input"), Number(info[1], "p"), Bool(info[2], "train")));
}

// conv(input, weight, bias?, stride[], padding[], dilation[], groups) — 1d or 2d from the weight's rank.
Napi::Value Conv(const Napi::CallbackInfo& info) {
  const Tensor& input = Unwrap(info[0], "input");
  const Tensor& weight = Unwrap(info[1], "weight");
  Tensor bias = OptionalTensor(info[2], "bias");
  auto stride = IntList(info[3], "stride");
  auto padding = IntList(info[4], "padding");
  auto dilation = IntList(info[5], "dilation");
  int64_t groups = Int(info[6], "groups");
  Tensor out = weight.dim() == 3 ? torch::conv1d(input, weight, bias, stride, padding, dilation, groups)
                                 : torch::conv2d(input, weight, bias, stride, padding, dilation, groups);
  return Wrap(info.Env(), out);
}

// pool(kind, input, kernel[], stride[], padding[], ceilMode) — kind: max1d, max2d, avg1d, avg2d.
Napi::Value Pool(const Napi::CallbackInfo& info) {
  std::string kind = String(info[0], "kind");
  const Tensor& input = Unwrap(info[1], "input");
  auto kernel = IntList(info[2], "kernelSize");
  auto stride = IntList(info[3], "stride");
  auto padding = IntList(info[4], "padding");
  bool ceil = Bool(info[5], "ceilMode");
  Tensor out;
  if (kind == "max1d") out = torch::max_pool1d(input, kernel, stride, padding, /*dilation=*/1, ceil);
  else if (kind == "max2d") out = torch::max_pool2d(input, kernel, stride, padding, /*dilation=*/1, ceil);
  else if (kind == "avg1d") out = torch::avg_pool1d(input, kernel, stride, padding, ceil);
  else if (kind == "avg2d") out = torch::avg_pool2d(input, kernel, stride, padding, ceil);
  else ThrowType(info.Env(), "unknown pooling " + kind);
  return Wrap(info.Env(), out);
}

Napi::Value Softmax(const Napi::CallbackInfo& info) {
  const Tensor& input = Unwrap(info[0], "input");
  int64_t dim = Int(info[1], "dim");
  bool log = Bool(info[2], "log");
  return Wrap(info.Env(), log ? torch::log_softmax(input, dim) : torch::softmax(input, dim));
}

// Reduction codes shared with lib/nn/loss.ts: 0 none, 1 mean, 2 sum (at::Reduction's values).
int64_t Reduction(const Napi::Value& v) {
  int64_t r = Int(v, "reduction");
  if (r < 0 || r > 2) ThrowType(v.Env(), "reduction must be 0, 1 or 2");
  return r;
}

// bceWithLogits(input, target, weight?, posWeight?, reduction)
Napi::Value BceWithLogits(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), torch::binary_cross_entropy_with_logits(Unwrap(info[0], "input"), Unwrap(info[1], "target"),
                                                                   OptionalTensor(info[2], "weight"),
                                                                   OptionalTensor(info[3], "posWeight"), Reduction(info[4])));
}

// crossEntropy(input, target, weight?, reduction, ignoreIndex, labelSmoothing)
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), torch::cross_entropy_loss(Unwrap(info[0], "input"), Unwrap(info[1], "target"),
                                                    OptionalTensor(info[2], "weight"), Reduction(info[3]),
                                                    Int(info[4], "ignoreIndex"), Number(info[5], "labelSmoothing")));
}

Napi::Value MseLoss(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), torch::mse_loss(Unwrap(info[0], "input"), Unwrap(info[1], "target"), Reduction(info[2])));
}

}  // namespace

void InitNN(Napi::Env env, Napi::Object exports) {
  Export<Embedding>(env, exports, "embedding");
  Export<Linear>(env, exports, "linear");
  Export<EmbeddingBag>(env, exports, "embeddingBag");
  Export<Rnn>(env, exports, "rnn");
  Export<RnnPacked>(env, exports, "rnnPacked");
  Export<PackPadded>(env, exports, "packPadded");
  Export<PadPacked>(env, exports, "padPacked");
  Export<Dropout>(env, exports, "dropout");
  Export<FlattenRnnWeights>(env, exports, "flattenRnnWeights");
  Export<SetFusedCpuRnn>(env, exports, "setFusedCpuRnn");
  Export<Conv>(env, exports, "conv");
  Export<Pool>(env, exports, "pool");
  Export<Softmax>(env, exports, "softmax");
  Export<BceWithLogits>(env, exports, "bceWithLogits");
  Export<CrossEntropy>(env, exports, "crossEntropy");
  Export<MseLoss>(env, exports, "mseLoss");
}

}  // namespace ts
