// A fused Elman RNN (tanh or relu) for dense input on the CPU, used in place of libtorch's own CPU RNN.
// (Packed input runs in gated_rnn_cpu.cc's FusedElmanLayer, beside the LSTM and GRU that share its layout.)
//
// libtorch runs a CPU RNN step by step under autograd: every step records its own graph nodes (matmul,
// add, tanh), and the backward walks them, computing and accumulating the recurrent weight gradient one
// step at a time. Here a layer
// is one autograd node. Forward: one product for the input projection of all steps, then one small
// product and an in-place tanh per step. Backward: one small product per step to carry the gradient back
// through time (tanh_backward fused), then the weight and input gradients as single products over all
// steps. Same mathematics and parameters; results differ from libtorch's only by float rounding
// (summation order). The arithmetic is the same, so the gain is the overhead only: the tutorial's
// training step ([270, 64] tokens, 100 -> 256) took 351 ms against 378 ms with libtorch's RNN, both at
// ~27 GFLOP/s (OpenBLAS's Prescott kernels; see lib/openblas.ts). test/nn/fused-rnn.test.ts compares both paths
// on many shapes, the parity suite compares this one with PyTorch.
#include "rnn_cpu.h"

#include "gated_rnn_cpu.h"

namespace ts {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// One layer, one direction. x [T, B, I] contiguous; returns [output [T, B, H], hN [B, H]].
struct FusedRnnLayer : public torch::autograd::Function<FusedRnnLayer> {
  static variable_list forward(AutogradContext* ctx, Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh,
                               bool relu, bool reverse) {
    const int64_t T = x.size(0), B = x.size(1), I = x.size(2), H = wHh.size(1);
    // The input projection of every step, with both biases, in one product written where the outputs go;
    // each step then adds its recurrent product in place (AddRecurrent: SmallGemm for small batches, as in
    // serving and a batch's last texts, else libtorch's addmm) and applies the activation in place.
    Tensor out = torch::addmm(bIh + bHh, x.reshape({T * B, I}), wIh.t());  // [T * B, H]
    Tensor whhTc;  // see AddRecurrent
    Tensor prev = h0.contiguous();
    for (int64_t s = 0; s < T; s++) {
      const int64_t t = reverse ? T - 1 - s : s;
      AddRecurrent(out, t * B, B, prev, wHh, whhTc);
      Tensor ht = out.narrow(0, t * B, B);
      if (relu) ht.relu_();
      else ht.tanh_();
      prev = ht;
    }
    out = out.view({T, B, H});
    ctx->save_for_backward({x, h0, wIh, wHh, out});
    ctx->set_materialize_grads(false);  // an unused output's gradient stays undefined, not a tensor of zeros
    ctx->saved_data["relu"] = relu;
    ctx->saved_data["reverse"] = reverse;
    return {out, prev.clone()};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const Tensor &x = saved[0], &h0 = saved[1], &wIh = saved[2], &wHh = saved[3], &out = saved[4];
    const bool relu = ctx->saved_data["relu"].toBool();
    const bool reverse = ctx->saved_data["reverse"].toBool();
    const int64_t T = x.size(0), B = x.size(1), I = x.size(2), H = wHh.size(1);
    const Tensor& gOut = grads[0];
    const Tensor& gHn = grads[1];

    // dz[t]: the gradient at step t's pre-activation. Walk the steps backwards with one product each:
    // dh_t = gOut[t] + dz[t+1] @ W_hh (one addmm), dz[t] = dh_t * tanh'(.) from the saved output.
    Tensor dz = torch::empty({T, B, H}, out.options());
    Tensor dh = gHn.defined() ? gHn.clone() : torch::zeros({B, H}, out.options());
    Tensor next;  // dz of the step processed before (later in processing order)
    for (int64_t s = T - 1; s >= 0; s--) {
      int64_t t = reverse ? T - 1 - s : s;
      if (next.defined()) {
        if (gOut.defined()) torch::addmm_out(dh, gOut.select(0, t), next, wHh);
        else torch::mm_out(dh, next, wHh);
      } else if (gOut.defined()) {
        dh.add_(gOut.select(0, t));
      }
      Tensor ht = out.select(0, t);
      Tensor dzt = dz.select(0, t);
      if (relu) torch::threshold_backward_out(dzt, dh, ht, 0);
      else torch::tanh_backward_out(dzt, dh, ht);
      next = dzt;
    }
    Tensor gH0;
    if (ctx->needs_input_grad(1)) gH0 = torch::mm(next, wHh);
    // Every weight gradient over all steps at once. The previous hidden state of each step is the
    // output one step earlier in processing order, and h0 for the first step processed.
    const int64_t first = reverse ? T - 1 : 0;
    Tensor dz2 = dz.view({T * B, H});
    Tensor gX, gWih, gWhh, gB;
    if (ctx->needs_input_grad(0)) gX = torch::mm(dz2, wIh).view({T, B, I});
    if (ctx->needs_input_grad(2)) gWih = torch::mm(dz2.t(), x.reshape({T * B, I}));
    if (ctx->needs_input_grad(3)) {
      gWhh = torch::mm(dz.select(0, first).t(), h0);
      if (T > 1) {
        Tensor dzRest = (reverse ? dz.narrow(0, 0, T - 1) : dz.narrow(0, 1, T - 1)).reshape({(T - 1) * B, H});
        Tensor prev = (reverse ? out.narrow(0, 1, T - 1) : out.narrow(0, 0, T - 1)).reshape({(T - 1) * B, H});
        gWhh.addmm_(dzRest.t(), prev);
      }
    }
    if (ctx->needs_input_grad(4) || ctx->needs_input_grad(5)) gB = dz2.sum(0);
    return {gX, gH0, gWih, gWhh, ctx->needs_input_grad(4) ? gB : Tensor(),
            ctx->needs_input_grad(5) ? gB.clone() : Tensor(), Tensor(), Tensor()};
  }
};

}  // namespace

bool CanUseFusedCpuRnn(const Tensor& input, const std::vector<Tensor>& params, bool hasBiases) {
  if (!hasBiases || !input.device().is_cpu() || input.dim() != 3 || input.numel() == 0) return false;
  if (input.scalar_type() != torch::kFloat32) return false;
  for (const Tensor& p : params) {
    if (!p.device().is_cpu() || p.scalar_type() != torch::kFloat32) return false;  // libtorch's checks give the error
  }
  return true;
}

// The multi-layer, bidirectional driver: PyTorch's layout (params per layer and direction: w_ih, w_hh,
// b_ih, b_hh; hx [layers * directions, B, H]) and dropout between layers in training, as libtorch's.
std::tuple<Tensor, Tensor> FusedCpuRnn(const Tensor& input, const Tensor& hx, const std::vector<Tensor>& params, int64_t layers,
                                       double dropout, bool train, bool bidirectional, bool batchFirst, bool relu) {
  const int64_t dirs = bidirectional ? 2 : 1;
  TORCH_CHECK(static_cast<int64_t>(params.size()) == layers * dirs * 4, "rnn: expected ", layers * dirs * 4, " weights, got ",
              params.size());
  Tensor layerInput = (batchFirst ? input.transpose(0, 1) : input).contiguous();
  const int64_t B = layerInput.size(1);
  const int64_t H = params[1].size(1);
  TORCH_CHECK(hx.dim() == 3 && hx.size(0) == layers * dirs && hx.size(1) == B && hx.size(2) == H, "Expected hidden size [",
              layers * dirs, ", ", B, ", ", H, "], got ", hx.sizes());
  TORCH_CHECK(params[0].size(1) == layerInput.size(2), "input.size(-1) must be equal to input_size. Expected ", params[0].size(1),
              ", got ", layerInput.size(2));
  std::vector<Tensor> finals;
  for (int64_t l = 0; l < layers; l++) {
    std::vector<Tensor> outs;
    for (int64_t d = 0; d < dirs; d++) {
      const Tensor* p = &params[(l * dirs + d) * 4];
      auto r = FusedRnnLayer::apply(layerInput, hx.select(0, l * dirs + d), p[0], p[1], p[2], p[3], relu, d == 1);
      outs.push_back(r[0]);
      finals.push_back(r[1]);
    }
    layerInput = dirs == 1 ? outs[0] : torch::cat(outs, 2);
    if (dropout != 0 && train && l < layers - 1) layerInput = torch::dropout(layerInput, dropout, /*train=*/true);
  }
  Tensor output = batchFirst ? layerInput.transpose(0, 1) : layerInput;
  return {output, torch::stack(finals, 0)};
}

}  // namespace ts
