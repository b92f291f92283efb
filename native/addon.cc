// Registration: the addon's only entry point. Each concept registers its own functions.
#include "addon.h"

namespace ts {
namespace {

// setErrorClass(TorchError): lib/errors.ts hands its error class over once at load.
Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) ThrowType(info.Env(), "setErrorClass expects a constructor");
  Data(info.Env())->torchError = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Value LiveTensors(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(Data(info.Env())->handles.Live()));
}

}  // namespace

AddonData* Data(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonData());
  Export<SetErrorClass>(env, exports, "setErrorClass");
  Export<LiveTensors>(env, exports, "liveTensors");
  InitTensor(env, exports);
  InitOps(env, exports);
  InitAutograd(env, exports);
  InitNN(env, exports);
  InitOptim(env, exports);
  InitCheckpoint(env, exports);
  InitCuda(env, exports);
  InitRuntime(env, exports);
  InitDistributed(env, exports);
  return exports;
}

}  // namespace ts

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return ts::Init(env, exports); }

NODE_API_MODULE(torch_sentiment, InitAddon)
