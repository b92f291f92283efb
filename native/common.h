// Shared pieces of the addon: tensor handles, argument conversion, and the one place where libtorch's
// errors become JavaScript errors.
#pragma once

#include <napi.h>
#include <torch/torch.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace ts {

// A native tensor that JS holds, in its environment's slot table.
struct TensorSlot {
  torch::Tensor tensor;
  uint32_t index = 0;       // its position in AddonData::slots
  uint32_t generation = 0;  // bumped when the slot is freed, so stale handles to it are refused
  bool live = false;
};

// Per-environment state (one per Node.js environment / worker thread), kept in instance data.
struct AddonData {
  Napi::FunctionReference torchError;  // lib/errors.ts's TorchError, handed over once at load
  // A deque, not a vector: growing it must not move existing slots, because Unwrap hands out
  // references into them that a native function may still hold while it wraps its results.
  std::deque<TensorSlot> slots;
  std::vector<uint32_t> freeSlots;

  // Native tensors JS still holds: every slot but the free ones.
  size_t LiveTensors() const { return slots.size() - freeSlots.size(); }
};

AddonData* Data(Napi::Env env);

// A JS tensor handle is a BigInt that encodes a (tag, generation, slot) triple into the environment's
// slot table; nothing is ever dereferenced through it, so a stale, foreign or forged handle is refused
// by a table check, never a crash. Not a napi External: in Node 20 every napi_create_external makes a
// weak reference (a global handle and a small malloc'd record that outlives the tensor until the
// collector runs), which cost ~0.15 us per op and fragments the heap (with a finalizer on each handle,
// 10,000 create/dispose cycles of a 300 KB tensor grew RSS by 1.9 GB). A BigInt is a plain young-
// generation value, and its type tells a tensor argument from a number one. The safety net for tensors
// dropped without dispose() is a FinalizationRegistry in lib/tensor.ts that calls dispose with the handle.
TensorSlot* Slot(const Napi::Value& value, const char* what);  // nullptr when stale (disposed)
// True for a number or a boolean (one napi_typeof): the scalar form of a tensor-or-scalar argument.
bool IsScalar(const Napi::Value& value);

Napi::Value Wrap(Napi::Env env, torch::Tensor tensor);
const torch::Tensor& Unwrap(const Napi::Value& value, const char* what);
torch::Tensor OptionalTensor(const Napi::Value& value, const char* what);  // undefined/null -> undefined tensor
// Frees a handle's tensor; false when it was already disposed (stale).
bool DisposeHandle(const Napi::Value& value);
std::vector<torch::Tensor> UnwrapList(const Napi::Value& value, const char* what);
Napi::Array WrapList(Napi::Env env, const std::vector<torch::Tensor>& tensors);

// Argument conversion. Each throws a TypeError naming the argument when the value is of the wrong kind;
// lib/ validates first, so these are a backstop against crashes, not the user-facing checks.
int64_t Int(const Napi::Value& value, const char* what);
double Number(const Napi::Value& value, const char* what);
bool Bool(const Napi::Value& value, const char* what);
std::string String(const Napi::Value& value, const char* what);
std::vector<int64_t> IntList(const Napi::Value& value, const char* what);
c10::optional<int64_t> OptionalInt(const Napi::Value& value, const char* what);

// dtype codes shared with lib/dtype.ts.
c10::ScalarType Dtype(const Napi::Value& value, const char* what);
int DtypeCode(c10::ScalarType type);
torch::Device Device(const Napi::Value& value, const char* what);
std::string DeviceString(const torch::Device& device);
torch::Scalar Scalar(const Napi::Value& value, const char* what);

[[noreturn]] void ThrowTorch(Napi::Env env, const std::string& message);
[[noreturn]] void ThrowType(Napi::Env env, const std::string& message);

// Guard<F>: every exported function goes through it, so every libtorch failure reaches JS as one
// TorchError carrying libtorch's message without the C++ backtrace.
using Callback = Napi::Value (*)(const Napi::CallbackInfo&);
std::string CleanMessage(const std::string& message);
template <Callback F>
Napi::Value Guard(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    ThrowTorch(info.Env(), CleanMessage(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    ThrowTorch(info.Env(), CleanMessage(e.what()));
  }
}

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
void InitDevice(Napi::Env env, Napi::Object exports);

}  // namespace ts
