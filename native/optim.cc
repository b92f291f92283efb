// Optimizers: libtorch's SGD and Adam over tensors that JS owns. One native call per step.
#include "addon.h"
#include "convert.h"

namespace ts {
namespace {

const napi_type_tag kOptimTag = {0x3d1e6b8a90c24f57ULL, 0xb6f0a2d4c8e17359ULL};

struct OptimBox {
  std::string kind;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
};

OptimBox* UnwrapOptim(const Napi::Value& value) {
  bool tagged = false;
  if (value.IsExternal()) napi_check_object_type_tag(value.Env(), value, &kOptimTag, &tagged);
  if (!tagged) ThrowType(value.Env(), "optimizer must be an optimizer handle");
  auto* box = value.As<Napi::External<OptimBox>>().Data();
  if (!box->optimizer) ThrowTorch(value.Env(), "the optimizer has been disposed");
  return box;
}

double Get(const Napi::Object& o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  return v.IsUndefined() ? fallback : Number(v, key);
}
bool GetBool(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  return v.IsUndefined() ? fallback : Bool(v, key);
}

void ApplySgd(torch::optim::SGDOptions& s, const Napi::Object& o) {
  s.lr(Get(o, "lr", s.lr()));
  s.momentum(Get(o, "momentum", s.momentum()));
  s.dampening(Get(o, "dampening", s.dampening()));
  s.weight_decay(Get(o, "weightDecay", s.weight_decay()));
  s.nesterov(GetBool(o, "nesterov", s.nesterov()));
}

void ApplyAdam(torch::optim::AdamOptions& a, const Napi::Object& o) {
  a.lr(Get(o, "lr", a.lr()));
  a.betas({Get(o, "beta1", std::get<0>(a.betas())), Get(o, "beta2", std::get<1>(a.betas()))});
  a.eps(Get(o, "eps", a.eps()));
  a.weight_decay(Get(o, "weightDecay", a.weight_decay()));
  a.amsgrad(GetBool(o, "amsgrad", a.amsgrad()));
}

// optimizer(kind, params[], options) -> handle
Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string kind = String(info[0], "kind");
  auto params = UnwrapList(info[1], "params");
  if (!info[2].IsObject()) ThrowType(env, "options must be an object");
  auto o = info[2].As<Napi::Object>();
  auto box = std::make_unique<OptimBox>();
  box->kind = kind;
  if (kind == "sgd") {
    torch::optim::SGDOptions s(Get(o, "lr", 0.01));
    ApplySgd(s, o);
    box->optimizer = std::make_unique<torch::optim::SGD>(params, s);
  } else if (kind == "adam") {
    torch::optim::AdamOptions a(Get(o, "lr", 1e-3));
    ApplyAdam(a, o);
    box->optimizer = std::make_unique<torch::optim::Adam>(params, a);
  } else {
    ThrowType(env, "unknown optimizer " + kind);
  }
  auto external = Napi::External<OptimBox>::New(env, box.release(), [](Napi::Env, OptimBox* b) { delete b; });
  napi_type_tag_object(env, external, &kOptimTag);
  return external;
}

Napi::Value Step(const Napi::CallbackInfo& info) {
  torch::NoGradGuard guard;
  UnwrapOptim(info[0])->optimizer->step();
  return info.Env().Undefined();
}

// setOptions(handle, options): change lr and friends between steps, for every parameter group.
Napi::Value SetOptions(const Napi::CallbackInfo& info) {
  OptimBox* box = UnwrapOptim(info[0]);
  if (!info[1].IsObject()) ThrowType(info.Env(), "options must be an object");
  auto o = info[1].As<Napi::Object>();
  for (auto& group : box->optimizer->param_groups()) {
    if (box->kind == "sgd") ApplySgd(static_cast<torch::optim::SGDOptions&>(group.options()), o);
    else ApplyAdam(static_cast<torch::optim::AdamOptions&>(group.options()), o);
  }
  return info.Env().Undefined();
}

Napi::Value Dispose(const Napi::CallbackInfo& info) {
  bool tagged = false;
  if (info[0].IsExternal()) napi_check_object_type_tag(info.Env(), info[0], &kOptimTag, &tagged);
  if (!tagged) ThrowType(info.Env(), "optimizer must be an optimizer handle");
  info[0].As<Napi::External<OptimBox>>().Data()->optimizer.reset();
  return info.Env().Undefined();
}

}  // namespace

void InitOptim(Napi::Env env, Napi::Object exports) {
  Export<Create>(env, exports, "optimizer");
  Export<Step>(env, exports, "optimizerStep");
  Export<SetOptions>(env, exports, "optimizerSetOptions");
  Export<Dispose>(env, exports, "optimizerDispose");
}

}  // namespace ts
