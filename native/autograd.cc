// Autograd: requires_grad, backward, grad, detach, and the grad-mode switch behind noGrad().
#include "addon.h"
#include "convert.h"

namespace ts {
namespace {

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  torch::Tensor t = Unwrap(info[0], "tensor");
  t.set_requires_grad(Bool(info[1], "requiresGrad"));
  return info.Env().Undefined();
}

// backward(h, gradient?, retainGraph)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  const torch::Tensor& t = Unwrap(info[0], "tensor");
  torch::Tensor gradient = OptionalTensor(info[1], "gradient");
  bool retain = info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value();
  t.backward(gradient, /*retain_graph=*/retain);
  return info.Env().Undefined();
}

// grad(h) -> handle | null. The handle shares storage with the gradient, as `p.grad` does in PyTorch.
Napi::Value Grad(const Napi::CallbackInfo& info) {
  const torch::Tensor& grad = Unwrap(info[0], "tensor").grad();
  if (!grad.defined()) return info.Env().Null();
  return Wrap(info.Env(), grad);
}

// zeroGrad(handles, setToNone): zeroes each gradient in place (PyTorch 1.13's zero_grad default, which
// reuses the buffers), or drops it (set_to_none=True, PyTorch 2's default).
Napi::Value ZeroGrad(const Napi::CallbackInfo& info) {
  bool setToNone = info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value();
  for (auto& t : UnwrapList(info[0], "parameters")) {
    auto& grad = t.mutable_grad();
    if (!grad.defined()) continue;
    if (setToNone) {
      grad.reset();
    } else {
      if (grad.grad_fn()) grad = grad.detach();
      else grad.requires_grad_(false);
      grad.zero_();
    }
  }
  return info.Env().Undefined();
}

// setData(h, src): swaps the data under h keeping its identity (as `param.data = x`), so optimizers
// and JS references stay valid when a module moves between devices.
Napi::Value SetData(const Napi::CallbackInfo& info) {
  torch::Tensor t = Unwrap(info[0], "tensor");
  t.set_data(Unwrap(info[1], "data"));
  return info.Env().Undefined();
}

Napi::Value Detach(const Napi::CallbackInfo& info) { return Wrap(info.Env(), Unwrap(info[0], "tensor").detach()); }

Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Unwrap(info[0], "tensor").is_leaf());
}

// setGradEnabled(bool) -> previous
Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool previous = torch::GradMode::is_enabled();
  torch::GradMode::set_enabled(Bool(info[0], "enabled"));
  return Napi::Boolean::New(info.Env(), previous);
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), torch::GradMode::is_enabled());
}

}  // namespace

void InitAutograd(Napi::Env env, Napi::Object exports) {
  Export<SetRequiresGrad>(env, exports, "setRequiresGrad");
  Export<Backward>(env, exports, "backward");
  Export<Grad>(env, exports, "grad");
  Export<ZeroGrad>(env, exports, "zeroGrad");
  Export<Detach>(env, exports, "detach");
  Export<SetData>(env, exports, "setData");
  Export<IsLeaf>(env, exports, "isLeaf");
  Export<SetGradEnabled>(env, exports, "setGradEnabled");
  Export<IsGradEnabled>(env, exports, "isGradEnabled");
}

}  // namespace ts
