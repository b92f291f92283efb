// What every concept file shares: per-environment state and registration. Tensor handles are in
// handles.h, argument conversion in convert.h, error translation in errors.h.
#pragma once

#include <napi.h>

#include "errors.h"
#include "handles.h"

namespace ts {

struct DistState;  // distributed.cc: this environment's process group

// Per-environment state, one per Node.js environment (the main thread and each worker thread), kept
// in napi instance data: nothing here is process-wide, so workers neither see each other's tensors nor
// each other's settings.
struct AddonData {
  Napi::FunctionReference torchError;  // lib/errors.ts's TorchError, handed over once at load
  HandleTable handles;
  bool fusedCpuRnn = true;
  std::shared_ptr<DistState> dist;  // distributed.cc; created on first use  // backends.setFusedCpuRnn: whether nn.cc runs CPU RNNs through rnn_cpu.cc / gated_rnn_cpu.cc
};

AddonData* Data(Napi::Env env);

// Registers F under `name`, guarded (errors.h).
template <Callback F>
void Export(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New(env, Guard<F>, name));
}

// Registration of each concept's functions (one file each).
void InitTensor(Napi::Env env, Napi::Object exports);
void InitOps(Napi::Env env, Napi::Object exports);
void InitAutograd(Napi::Env env, Napi::Object exports);
void InitNN(Napi::Env env, Napi::Object exports);
void InitOptim(Napi::Env env, Napi::Object exports);
void InitCheckpoint(Napi::Env env, Napi::Object exports);
void InitCuda(Napi::Env env, Napi::Object exports);
void InitRuntime(Napi::Env env, Napi::Object exports);
void InitDistributed(Napi::Env env, Napi::Object exports);

}  // namespace ts
