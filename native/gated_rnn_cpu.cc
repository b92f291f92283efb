// A fused LSTM and GRU for the CPU, dense or packed, and the Elman RNN for packed input, used in place of
// libtorch's own CPU implementations.
//
// libtorch runs a CPU LSTM or GRU step by step under autograd: each step of each layer and direction
// records its own nodes (two linears, chunks, sigmoids, tanhs, muls and adds). For packed input each
// step's input is a narrow of the input projection of all steps, and the backward of every such narrow
// fills a zero tensor of that whole projection and adds it up, so a step's backward costs work in
// proportion to the whole sequence: quadratic in the length, and most of a long batch's time. Here a layer
// and direction is one autograd node:
//   forward   the input projection of every step as one product; then per step one small product
//             h @ W_hh^T, the gate activations in place and the state update in a loop, into
//             preallocated buffers;
//   backward  per step, the gate gradients in one loop and one small product carrying the gradient
//             to the previous hidden state; then the input, weight and bias gradients as single
//             products over all steps.
// Dense input is handled as packed input whose batch never shrinks. The recurrent state lives in one
// [B, H] buffer (h, and the LSTM's c likewise): step t reads and writes its first batchSizes[t] rows, and
// the rows of sequences that are not running are left as they are. Forwards, that keeps each finished
// sequence's last state, which is what PyTorch returns as hN/cN; backwards (the reverse direction,
// steps from last to first), a sequence's rows still hold h0/c0 when its own last step comes, which
// is where PyTorch starts it. The backward mirrors this with gradient buffers of the same shape.
// Same mathematics as libtorch (PyTorch's gate orders: i, f, g, o and r, z, n); results differ by float
// rounding (summation order). test/nn/fused-lstm-gru.test.ts compares the two paths over many shapes,
// packed and dense; the parity suite compares this one with PyTorch.
#include "gated_rnn_cpu.h"

#include <cstring>

#include "small_gemm.h"

namespace ts {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Where each step's rows start in the packed layout: the sum of the earlier batch sizes.
std::vector<int64_t> Offsets(const std::vector<int64_t>& batchSizes) {
  std::vector<int64_t> offsets(batchSizes.size());
  for (size_t t = 0, o = 0; t < batchSizes.size(); o += batchSizes[t], t++) offsets[t] = static_cast<int64_t>(o);
  return offsets;
}

// What every layer's backward ends with, as single products over all steps from the pre-activation
// gradients dz [N, G] (G: the gate rows): x's (dz @ W_ih), W_ih's (dz^T x), W_hh's (dz^T hPrev, each
// row's incoming state), and the biases' (dz summed over the rows, the same for b_ih and b_hh). `w` is
// W_ih's index among the Function's inputs, W_hh, b_ih and b_hh following it; x is input 0. An input
// that needs no gradient gets an undefined tensor.
struct StepProducts {
  Tensor x, wIh, wHh, bIh, bHh;
};
StepProducts ProductsOverSteps(AutogradContext* ctx, const Tensor& dz, const Tensor& x, const Tensor& wIh, const Tensor& hPrev, size_t w) {
  StepProducts g;
  if (ctx->needs_input_grad(0)) g.x = torch::mm(dz, wIh);
  if (ctx->needs_input_grad(w)) g.wIh = torch::mm(dz.t(), x);
  if (ctx->needs_input_grad(w + 1)) g.wHh = torch::mm(dz.t(), hPrev);
  if (ctx->needs_input_grad(w + 2) || ctx->needs_input_grad(w + 3)) {
    Tensor b = dz.sum(0);
    if (ctx->needs_input_grad(w + 2)) g.bIh = b;
    if (ctx->needs_input_grad(w + 3)) g.bHh = g.bIh.defined() ? b.clone() : b;
  }
  return g;
}

// One layer, one direction. x [N, I] contiguous, rows of step t at offsets[t] (sum of the earlier
// batch sizes), batchSizes[t] of them; h0, c0 [B, H]. Returns output [N, H], hN, cN [B, H].
struct FusedLstmLayer : public torch::autograd::Function<FusedLstmLayer> {
  static variable_list forward(AutogradContext* ctx, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh,
                               Tensor bHh, std::vector<int64_t> batchSizes, bool reverse) {
    const int64_t N = x.size(0), H = wHh.size(1), T = static_cast<int64_t>(batchSizes.size());
    const std::vector<int64_t> offsets = Offsets(batchSizes);
    auto options = x.options();
    // Gate pre-activations of every step, input part and both biases; the steps add the recurrent part
    // and replace them by the activations (kept for the backward).
    Tensor gates = torch::addmm(bIh + bHh, x, wIh.t());
    Tensor out = torch::empty({N, H}, options);
    Tensor tanhC = torch::empty({N, H}, options);  // tanh(c_t), for the backward
    Tensor hPrev = torch::empty({N, H}, options);  // each step's incoming h and c, row for row, for the
    Tensor cPrev = torch::empty({N, H}, options);  // weight gradient and the forget gate's gradient
    Tensor h = h0.contiguous().clone();
    Tensor c = c0.contiguous().clone();
    Tensor wHhTc;  // see AddRecurrent
    float* G = gates.data_ptr<float>();
    float* O = out.data_ptr<float>();
    float* TC = tanhC.data_ptr<float>();
    float* HP = hPrev.data_ptr<float>();
    float* CP = cPrev.data_ptr<float>();
    float* hs = h.data_ptr<float>();
    float* cs = c.data_ptr<float>();
    for (int64_t s = 0; s < T; s++) {
      const int64_t t = reverse ? T - 1 - s : s;
      const int64_t n = batchSizes[t], r0 = offsets[t];
      std::memcpy(HP + r0 * H, hs, sizeof(float) * n * H);
      std::memcpy(CP + r0 * H, cs, sizeof(float) * n * H);
      AddRecurrent(gates, r0, n, h, wHh, wHhTc);
      Tensor g = gates.narrow(0, r0, n);
      g.narrow(1, 0, 2 * H).sigmoid_();  // i, f
      g.narrow(1, 2 * H, H).tanh_();     // g
      g.narrow(1, 3 * H, H).sigmoid_();  // o
      for (int64_t j = 0; j < n; j++) {
        const float* gi = G + (r0 + j) * 4 * H;
        const float *gf = gi + H, *gg = gi + 2 * H;
        float* cj = cs + j * H;
        for (int64_t k = 0; k < H; k++) cj[k] = gf[k] * cj[k] + gi[k] * gg[k];
      }
      Tensor tc = tanhC.narrow(0, r0, n);
      torch::tanh_out(tc, c.narrow(0, 0, n));
      for (int64_t j = 0; j < n; j++) {
        const float* go = G + (r0 + j) * 4 * H + 3 * H;
        const float* tcj = TC + (r0 + j) * H;
        float* oj = O + (r0 + j) * H;
        float* hj = hs + j * H;
        for (int64_t k = 0; k < H; k++) hj[k] = oj[k] = go[k] * tcj[k];
      }
    }
    ctx->save_for_backward({x, wIh, wHh, gates, tanhC, hPrev, cPrev});
    ctx->set_materialize_grads(false);  // an unused output's gradient stays undefined, not a tensor of zeros
    ctx->saved_data["batchSizes"] = batchSizes;
    ctx->saved_data["reverse"] = reverse;
    return {out, h, c};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const Tensor &x = saved[0], &wIh = saved[1], &wHh = saved[2], &gates = saved[3], &tanhC = saved[4], &hPrev = saved[5],
                 &cPrev = saved[6];
    const std::vector<int64_t> batchSizes = ctx->saved_data["batchSizes"].toIntVector();
    const bool reverse = ctx->saved_data["reverse"].toBool();
    const int64_t N = x.size(0), H = wHh.size(1), T = static_cast<int64_t>(batchSizes.size());
    const int64_t B0 = batchSizes[0];  // the full batch (the first step has every sequence)
    const std::vector<int64_t> offsets = Offsets(batchSizes);
    auto options = gates.options();
    // Gradients of the loss with respect to the state buffers h and c as the walk goes backwards: start
    // from hN/cN's, end as h0/c0's.
    Tensor dh = torch::zeros({B0, H}, options);
    Tensor dc = torch::zeros({B0, H}, options);
    if (grads[1].defined()) dh.copy_(grads[1]);
    if (grads[2].defined()) dc.copy_(grads[2]);
    Tensor gOut = grads[0].defined() ? grads[0].contiguous() : Tensor();
    Tensor dz = torch::empty({N, 4 * H}, options);  // gate pre-activation gradients
    const float* G = gates.data_ptr<float>();
    const float* TC = tanhC.data_ptr<float>();
    const float* CP = cPrev.data_ptr<float>();
    const float* GO = gOut.defined() ? gOut.data_ptr<float>() : nullptr;
    float* DZ = dz.data_ptr<float>();
    float* dhs = dh.data_ptr<float>();
    float* dcs = dc.data_ptr<float>();
    for (int64_t s = T - 1; s >= 0; s--) {
      const int64_t t = reverse ? T - 1 - s : s;
      const int64_t n = batchSizes[t], r0 = offsets[t];
      for (int64_t j = 0; j < n; j++) {
        const int64_t r = r0 + j;
        const float *gi = G + r * 4 * H, *gf = gi + H, *gg = gi + 2 * H, *go = gi + 3 * H;
        const float *tc = TC + r * H, *cp = CP + r * H;
        const float* gout = GO ? GO + r * H : nullptr;
        float *di = DZ + r * 4 * H, *df = di + H, *dg = di + 2 * H, *dO = di + 3 * H;
        float* dhj = dhs + j * H;
        float* dcj = dcs + j * H;
        for (int64_t k = 0; k < H; k++) {
          const float dhk = gout ? dhj[k] + gout[k] : dhj[k];
          const float o = go[k], t2 = tc[k], i = gi[k], f = gf[k], gk = gg[k];
          const float dck = dcj[k] + dhk * o * (1 - t2 * t2);
          dO[k] = dhk * t2 * (o * (1 - o));
          di[k] = dck * gk * (i * (1 - i));
          df[k] = dck * cp[k] * (f * (1 - f));
          dg[k] = dck * i * (1 - gk * gk);
          dcj[k] = dck * f;
        }
      }
      Tensor dhn = dh.narrow(0, 0, n);
      torch::mm_out(dhn, dz.narrow(0, r0, n), wHh);
    }
    const StepProducts g = ProductsOverSteps(ctx, dz, x, wIh, hPrev, 3);
    return {g.x, ctx->needs_input_grad(1) ? dh : Tensor(), ctx->needs_input_grad(2) ? dc : Tensor(), g.wIh, g.wHh, g.bIh, g.bHh,
            Tensor(), Tensor()};
  }
};

// One GRU layer, one direction, laid out as FusedLstmLayer. Returns output [N, H], hN [B, H].
struct FusedGruLayer : public torch::autograd::Function<FusedGruLayer> {
  static variable_list forward(AutogradContext* ctx, Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh,
                               std::vector<int64_t> batchSizes, bool reverse) {
    const int64_t N = x.size(0), H = wHh.size(1), T = static_cast<int64_t>(batchSizes.size());
    const std::vector<int64_t> offsets = Offsets(batchSizes);
    auto options = x.options();
    // Input parts of the r, z, n pre-activations of every step (with b_ih); the steps make them the
    // activations r, z, n (kept for the backward).
    Tensor gates = torch::addmm(bIh, x, wIh.t());
    Tensor hGates = torch::empty({batchSizes[0], 3 * H}, options);  // one step's h @ W_hh^T + b_hh
    Tensor hn = torch::empty({N, H}, options);                     // its n part, W_hn h + b_hn, per row
    Tensor out = torch::empty({N, H}, options);
    Tensor hPrev = torch::empty({N, H}, options);
    Tensor h = h0.contiguous().clone();
    Tensor wHhTc;  // see AddRecurrent
    float* G = gates.data_ptr<float>();
    float* A = hGates.data_ptr<float>();
    float* HN = hn.data_ptr<float>();
    float* O = out.data_ptr<float>();
    float* HP = hPrev.data_ptr<float>();
    float* hs = h.data_ptr<float>();
    for (int64_t s = 0; s < T; s++) {
      const int64_t t = reverse ? T - 1 - s : s;
      const int64_t n = batchSizes[t], r0 = offsets[t];
      std::memcpy(HP + r0 * H, hs, sizeof(float) * n * H);
      hGates.narrow(0, 0, n).copy_(bHh.expand({n, 3 * H}));  // b_hh, then + h @ W_hh^T
      AddRecurrent(hGates, 0, n, h, wHh, wHhTc);
      Tensor g = gates.narrow(0, r0, n);
      for (int64_t j = 0; j < n; j++) {
        float* gj = G + (r0 + j) * 3 * H;
        const float* aj = A + j * 3 * H;
        for (int64_t k = 0; k < 2 * H; k++) gj[k] = aj[k] + gj[k];
      }
      g.narrow(1, 0, 2 * H).sigmoid_();  // r, z
      for (int64_t j = 0; j < n; j++) {
        float* gj = G + (r0 + j) * 3 * H;
        const float* an = A + j * 3 * H + 2 * H;
        float* hnj = HN + (r0 + j) * H;
        for (int64_t k = 0; k < H; k++) {
          hnj[k] = an[k];
          gj[2 * H + k] = gj[2 * H + k] + an[k] * gj[k];
        }
      }
      g.narrow(1, 2 * H, H).tanh_();  // n
      for (int64_t j = 0; j < n; j++) {
        const float* gz = G + (r0 + j) * 3 * H + H;
        const float* gn = gz + H;
        float* oj = O + (r0 + j) * H;
        float* hj = hs + j * H;
        for (int64_t k = 0; k < H; k++) hj[k] = oj[k] = (hj[k] - gn[k]) * gz[k] + gn[k];  // libtorch's form of (1-z)n + zh
      }
    }
    ctx->save_for_backward({x, wIh, wHh, gates, hn, hPrev});
    ctx->set_materialize_grads(false);
    ctx->saved_data["batchSizes"] = batchSizes;
    ctx->saved_data["reverse"] = reverse;
    return {out, h};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const Tensor &x = saved[0], &wIh = saved[1], &wHh = saved[2], &gates = saved[3], &hn = saved[4], &hPrev = saved[5];
    const std::vector<int64_t> batchSizes = ctx->saved_data["batchSizes"].toIntVector();
    const bool reverse = ctx->saved_data["reverse"].toBool();
    const int64_t N = x.size(0), H = wHh.size(1), T = static_cast<int64_t>(batchSizes.size());
    const std::vector<int64_t> offsets = Offsets(batchSizes);
    auto options = gates.options();
    Tensor dh = torch::zeros({batchSizes[0], H}, options);  // as in FusedLstmLayer::backward
    if (grads[1].defined()) dh.copy_(grads[1]);
    Tensor gOut = grads[0].defined() ? grads[0].contiguous() : Tensor();
    // Gradients of the input-side and the hidden-side pre-activations (they differ in n: r * dn there).
    Tensor dzi = torch::empty({N, 3 * H}, options);
    Tensor dzh = torch::empty({N, 3 * H}, options);
    const float* G = gates.data_ptr<float>();
    const float* HN = hn.data_ptr<float>();
    const float* HP = hPrev.data_ptr<float>();
    const float* GO = gOut.defined() ? gOut.data_ptr<float>() : nullptr;
    float* DI = dzi.data_ptr<float>();
    float* DH = dzh.data_ptr<float>();
    float* dhs = dh.data_ptr<float>();
    for (int64_t s = T - 1; s >= 0; s--) {
      const int64_t t = reverse ? T - 1 - s : s;
      const int64_t n = batchSizes[t], r0 = offsets[t];
      for (int64_t j = 0; j < n; j++) {
        const int64_t r = r0 + j;
        const float *gr = G + r * 3 * H, *gz = gr + H, *gn = gr + 2 * H;
        const float *an = HN + r * H, *hp = HP + r * H;
        const float* gout = GO ? GO + r * H : nullptr;
        float *dir = DI + r * 3 * H, *dhr = DH + r * 3 * H;
        float* dhj = dhs + j * H;
        for (int64_t k = 0; k < H; k++) {
          const float dhk = gout ? dhj[k] + gout[k] : dhj[k];
          const float rk = gr[k], z = gz[k], nk = gn[k];
          const float dn = dhk * (1 - z) * (1 - nk * nk);
          const float dz = dhk * (hp[k] - nk) * (z * (1 - z));
          const float dr = dn * an[k] * (rk * (1 - rk));
          dir[k] = dhr[k] = dr;
          dir[H + k] = dhr[H + k] = dz;
          dir[2 * H + k] = dn;
          dhr[2 * H + k] = dn * rk;
          dhj[k] = dhk * z;
        }
      }
      dh.narrow(0, 0, n).addmm_(dzh.narrow(0, r0, n), wHh);
    }
    Tensor gX, gWih, gWhh;
    if (ctx->needs_input_grad(0)) gX = torch::mm(dzi, wIh);
    if (ctx->needs_input_grad(2)) gWih = torch::mm(dzi.t(), x);
    if (ctx->needs_input_grad(3)) gWhh = torch::mm(dzh.t(), hPrev);
    return {gX,
            ctx->needs_input_grad(1) ? dh : Tensor(),
            gWih,
            gWhh,
            ctx->needs_input_grad(4) ? dzi.sum(0) : Tensor(),
            ctx->needs_input_grad(5) ? dzh.sum(0) : Tensor(),
            Tensor(),
            Tensor()};
  }
};

// One Elman layer (tanh or relu), one direction, laid out as FusedLstmLayer: the packed input of
// nn.RNN. (Dense input runs in rnn_cpu.cc, which needs no state buffer: with every batch size equal, a
// step's previous state is the output one step earlier.) Returns output [N, H], hN [B, H].
struct FusedElmanLayer : public torch::autograd::Function<FusedElmanLayer> {
  static variable_list forward(AutogradContext* ctx, Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh,
                               std::vector<int64_t> batchSizes, bool reverse, bool relu) {
    const int64_t N = x.size(0), H = wHh.size(1), T = static_cast<int64_t>(batchSizes.size());
    const std::vector<int64_t> offsets = Offsets(batchSizes);
    // Pre-activations of every step, input part and both biases; each step adds the recurrent part and
    // applies the nonlinearity in place, so `out` ends as the outputs (kept for the backward).
    Tensor out = torch::addmm(bIh + bHh, x, wIh.t());
    Tensor hPrev = torch::empty({N, H}, x.options());
    Tensor h = h0.contiguous().clone();
    Tensor wHhTc;  // see AddRecurrent
    float* O = out.data_ptr<float>();
    float* HP = hPrev.data_ptr<float>();
    float* hs = h.data_ptr<float>();
    for (int64_t s = 0; s < T; s++) {
      const int64_t t = reverse ? T - 1 - s : s;
      const int64_t n = batchSizes[t], r0 = offsets[t];
      std::memcpy(HP + r0 * H, hs, sizeof(float) * n * H);
      AddRecurrent(out, r0, n, h, wHh, wHhTc);
      Tensor o = out.narrow(0, r0, n);
      if (relu) o.relu_();
      else o.tanh_();
      std::memcpy(hs, O + r0 * H, sizeof(float) * n * H);
    }
    ctx->save_for_backward({x, wIh, wHh, out, hPrev});
    ctx->set_materialize_grads(false);
    ctx->saved_data["batchSizes"] = batchSizes;
    ctx->saved_data["reverse"] = reverse;
    ctx->saved_data["relu"] = relu;
    return {out, h};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const Tensor &x = saved[0], &wIh = saved[1], &wHh = saved[2], &out = saved[3], &hPrev = saved[4];
    const std::vector<int64_t> batchSizes = ctx->saved_data["batchSizes"].toIntVector();
    const bool reverse = ctx->saved_data["reverse"].toBool();
    const bool relu = ctx->saved_data["relu"].toBool();
    const int64_t N = x.size(0), H = wHh.size(1), T = static_cast<int64_t>(batchSizes.size());
    const std::vector<int64_t> offsets = Offsets(batchSizes);
    Tensor dh = torch::zeros({batchSizes[0], H}, out.options());  // as in FusedLstmLayer::backward
    if (grads[1].defined()) dh.copy_(grads[1]);
    Tensor gOut = grads[0].defined() ? grads[0].contiguous() : Tensor();
    Tensor dz = torch::empty({N, H}, out.options());  // pre-activation gradients
    const float* O = out.data_ptr<float>();
    const float* GO = gOut.defined() ? gOut.data_ptr<float>() : nullptr;
    float* DZ = dz.data_ptr<float>();
    float* dhs = dh.data_ptr<float>();
    for (int64_t s = T - 1; s >= 0; s--) {
      const int64_t t = reverse ? T - 1 - s : s;
      const int64_t n = batchSizes[t], r0 = offsets[t];
      for (int64_t j = 0; j < n; j++) {
        const int64_t r = r0 + j;
        const float* o = O + r * H;
        const float* gout = GO ? GO + r * H : nullptr;
        const float* dhj = dhs + j * H;
        float* dzr = DZ + r * H;
        // libtorch's tanh_backward (dh * (1 - y^2)) and threshold_backward (dh where y > 0).
        for (int64_t k = 0; k < H; k++) {
          const float dhk = gout ? dhj[k] + gout[k] : dhj[k];
          dzr[k] = relu ? (o[k] > 0 ? dhk : 0.0f) : dhk * (1 - o[k] * o[k]);
        }
      }
      Tensor dhn = dh.narrow(0, 0, n);
      torch::mm_out(dhn, dz.narrow(0, r0, n), wHh);
    }
    const StepProducts g = ProductsOverSteps(ctx, dz, x, wIh, hPrev, 2);
    return {g.x, ctx->needs_input_grad(1) ? dh : Tensor(), g.wIh, g.wHh, g.bIh, g.bHh, Tensor(), Tensor(), Tensor()};
  }
};

// The multi-layer, bidirectional stack over data [N, I] in packed layout (dense input has every batch
// size equal): PyTorch's parameter layout (per layer and direction w_ih, w_hh, b_ih, b_hh; states
// [layers * directions, B, H]), directions concatenated on the features, and dropout on each layer's
// output but the last's in training, as libtorch's. Returns [output, hN(, cN)].
std::vector<Tensor> Stack(const std::string& mode, const Tensor& x, const std::vector<int64_t>& batchSizes,
                          const std::vector<Tensor>& hx, const std::vector<Tensor>& params, int64_t layers, double dropout, bool train,
                          bool bidirectional) {
  const bool lstm = mode == "lstm", gru = mode == "gru";
  const char* name = lstm ? "lstm" : gru ? "gru" : "rnn";
  const int64_t dirs = bidirectional ? 2 : 1;
  const size_t states = lstm ? 2 : 1;
  TORCH_CHECK(layers >= 1, name, ": numLayers must be at least 1, got ", layers);
  TORCH_CHECK(static_cast<int64_t>(params.size()) == layers * dirs * 4, name, ": expected ", layers * dirs * 4, " weights, got ",
              params.size());
  TORCH_CHECK(hx.size() == states, name, ": expected ", states, " state tensors, got ", hx.size());
  const int64_t B = batchSizes[0];
  const int64_t H = params[1].size(1);
  const int64_t gateRows = (lstm ? 4 : gru ? 3 : 1) * H;
  for (size_t i = 0; i < states; i++) {
    TORCH_CHECK(hx[i].dim() == 3 && hx[i].size(0) == layers * dirs && hx[i].size(1) == B && hx[i].size(2) == H,
                "Expected hidden", (lstm ? "[" + std::to_string(i) + "]" : std::string()), " size (", layers * dirs, ", ", B, ", ",
                H, "), got ", hx[i].sizes());
  }
  TORCH_CHECK(params[0].dim() == 2 && params[0].size(1) == x.size(1), "input.size(-1) must be equal to input_size. Expected ",
              params[0].size(-1), ", got ", x.size(1));
  for (int64_t l = 0; l < layers * dirs; l++) {
    const Tensor* p = &params[l * 4];
    const int64_t in = l < dirs ? x.size(1) : dirs * H;
    TORCH_CHECK(p[0].dim() == 2 && p[0].size(0) == gateRows && p[0].size(1) == in && p[1].dim() == 2 && p[1].size(0) == gateRows &&
                    p[1].size(1) == H && p[2].dim() == 1 && p[2].size(0) == gateRows && p[3].dim() == 1 && p[3].size(0) == gateRows,
                name, ": weights of layer ", l / dirs, (l % dirs ? " (reverse)" : ""), " have shapes ", p[0].sizes(), ", ",
                p[1].sizes(), ", ", p[2].sizes(), ", ", p[3].sizes(), "; expected [", gateRows, ", ", in, "], [", gateRows, ", ",
                H, "], [", gateRows, "], [", gateRows, "]");
  }
  Tensor layerInput = x.contiguous();
  std::vector<std::vector<Tensor>> finals(states);
  for (int64_t l = 0; l < layers; l++) {
    std::vector<Tensor> outs;
    for (int64_t d = 0; d < dirs; d++) {
      const int64_t i = l * dirs + d;
      const Tensor* p = &params[i * 4];
      auto r = lstm ? FusedLstmLayer::apply(layerInput, hx[0].select(0, i), hx[1].select(0, i), p[0], p[1], p[2], p[3], batchSizes,
                                            d == 1)
               : gru ? FusedGruLayer::apply(layerInput, hx[0].select(0, i), p[0], p[1], p[2], p[3], batchSizes, d == 1)
                     : FusedElmanLayer::apply(layerInput, hx[0].select(0, i), p[0], p[1], p[2], p[3], batchSizes, d == 1,
                                              mode == "rnn_relu");
      outs.push_back(r[0]);
      for (size_t k = 0; k < states; k++) finals[k].push_back(r[k + 1]);
    }
    layerInput = dirs == 1 ? outs[0] : torch::cat(outs, 1);
    if (dropout != 0 && train && l < layers - 1) layerInput = torch::dropout(layerInput, dropout, /*train=*/true);
  }
  std::vector<Tensor> result{layerInput};
  for (auto& f : finals) result.push_back(torch::stack(f, 0));
  return result;
}

}  // namespace

// Declared in gated_rnn_cpu.h.
void AddRecurrent(const torch::Tensor& pre, int64_t r0, int64_t n, const torch::Tensor& h, const torch::Tensor& wHh, torch::Tensor& wHhTc) {
  const int64_t G = pre.size(1), H = h.size(1);
  if (UseSmallGemm(n)) {
    if (!wHhTc.defined()) wHhTc = wHh.t().contiguous();
    float* rows = pre.data_ptr<float>() + r0 * G;
    SmallGemm(rows, G, rows, G, h.data_ptr<float>(), H, wHhTc.data_ptr<float>(), n, H, G);
  } else {
    pre.narrow(0, r0, n).addmm_(h.narrow(0, 0, n), wHh.t());
  }
}

bool CanUseFusedCpuGatedRnn(const std::string& mode, const Tensor& input, bool packed, const std::vector<Tensor>& hx,
                            const std::vector<Tensor>& params, bool hasBiases) {
  // Elman RNNs come here packed only: dense ones run in rnn_cpu.cc.
  if (mode != "lstm" && mode != "gru" && !(packed && (mode == "rnn_tanh" || mode == "rnn_relu"))) return false;
  if (!hasBiases || !input.device().is_cpu() || input.dim() != (packed ? 2 : 3) || input.numel() == 0) return false;
  if (input.scalar_type() != torch::kFloat32) return false;
  for (const auto* list : {&hx, &params}) {
    for (const Tensor& p : *list) {
      if (!p.defined() || !p.device().is_cpu() || p.scalar_type() != torch::kFloat32) return false;
    }
  }
  return true;
}

std::vector<Tensor> FusedCpuGatedRnn(const std::string& mode, const Tensor& input, const Tensor& batchSizes, const std::vector<Tensor>& hx,
                                     const std::vector<Tensor>& params, int64_t layers, double dropout, bool train, bool bidirectional,
                                     bool batchFirst) {
  if (!batchSizes.defined()) {
    Tensor x = (batchFirst ? input.transpose(0, 1) : input).contiguous();
    const int64_t T = x.size(0), B = x.size(1);
    auto r = Stack(mode, x.view({T * B, x.size(2)}), std::vector<int64_t>(T, B), hx, params, layers, dropout, train, bidirectional);
    r[0] = r[0].view({T, B, -1});
    if (batchFirst) r[0] = r[0].transpose(0, 1);
    return r;
  }
  TORCH_CHECK(batchSizes.dim() == 1 && batchSizes.device().is_cpu() && batchSizes.scalar_type() == torch::kInt64,
              "batch_sizes should be a 1-D int64 CPU tensor, got ", batchSizes.sizes(), " ", batchSizes.scalar_type(), " on ",
              batchSizes.device());
  Tensor bsc = batchSizes.contiguous();
  std::vector<int64_t> bs(bsc.data_ptr<int64_t>(), bsc.data_ptr<int64_t>() + bsc.numel());
  TORCH_CHECK(!bs.empty(), "batch_sizes should not be empty");
  int64_t total = 0;
  for (size_t t = 0; t < bs.size(); t++) {
    TORCH_CHECK(bs[t] >= 1 && (t == 0 || bs[t] <= bs[t - 1]), "batch_sizes should be positive and non-increasing, got ", bs[t],
                " at step ", t);
    total += bs[t];
  }
  TORCH_CHECK(total == input.size(0), "packed data has ", input.size(0), " rows but batch_sizes sum to ", total);
  return Stack(mode, input, bs, hx, params, layers, dropout, train, bidirectional);
}

}  // namespace ts
