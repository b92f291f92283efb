#include "handles.h"

#include "addon.h"
#include "errors.h"

namespace ts {

namespace {
// Handle encoding: tag (16 bits) | generation (24 bits) | slot (24 bits).
constexpr uint64_t kHandleTag = 0x5453ULL << 48;  // "TS"
constexpr uint64_t kSlotBits = 24;
constexpr uint64_t kSlotMask = (1ULL << kSlotBits) - 1;
constexpr uint64_t kGenerationMask = (1ULL << 24) - 1;

uint64_t Encode(uint32_t slot, uint32_t generation) {
  return kHandleTag | (static_cast<uint64_t>(generation & kGenerationMask) << kSlotBits) | slot;
}

HandleTable& Table(Napi::Env env) { return Data(env)->handles; }

// Frees a live slot's tensor and puts the slot back on the free list; its generation moves on, so
// every handle made for it is stale from now on.
void Release(HandleTable& table, TensorSlot& s) {
  s.tensor.reset();
  s.live = false;
  s.generation++;
  table.freeSlots.push_back(s.index);
}
}  // namespace

Napi::Value Wrap(Napi::Env env, torch::Tensor tensor) {
  HandleTable& table = Table(env);
  uint32_t slot;
  if (!table.freeSlots.empty()) {
    slot = table.freeSlots.back();
    table.freeSlots.pop_back();
  } else {
    if (table.slots.size() > kSlotMask) ThrowTorch(env, "too many live tensors (16,777,216): dispose tensors you no longer need");
    slot = static_cast<uint32_t>(table.slots.size());
    table.slots.emplace_back();
    table.slots.back().index = slot;
  }
  TensorSlot& s = table.slots[slot];
  s.tensor = std::move(tensor);
  s.live = true;
  napi_value out;
  if (napi_create_bigint_uint64(env, Encode(slot, s.generation), &out) != napi_ok) {
    Release(table, s);
    ThrowTorch(env, "could not create a tensor handle");
  }
  return Napi::Value(env, out);
}

// The slot a handle names, or nullptr when that slot has been freed since (a disposed tensor); throws on
// anything that is not one of this addon's handles.
TensorSlot* Slot(const Napi::Value& value, const char* what) {
  uint64_t bits;
  bool lossless;
  // Fails (napi_bigint_expected, no JS exception) for anything but a BigInt: one call does both.
  if (napi_get_value_bigint_uint64(value.Env(), value, &bits, &lossless) == napi_ok && lossless) {
    AddonData* data = Data(value.Env());
    uint64_t slot = bits & kSlotMask;
    if ((bits & (0xFFFFULL << 48)) == kHandleTag && data != nullptr && slot < data->handles.slots.size()) {
      TensorSlot* s = &data->handles.slots[slot];
      bool stale = !s->live || (s->generation & kGenerationMask) != ((bits >> kSlotBits) & kGenerationMask);
      return stale ? nullptr : s;
    }
  }
  ThrowType(value.Env(), std::string(what) + " must be a Tensor handle");
}

torch::Tensor Unwrap(const Napi::Value& value, const char* what) {
  TensorSlot* s = Slot(value, what);
  if (s == nullptr) ThrowTorch(value.Env(), std::string(what) + " is a disposed tensor");
  return s->tensor;
}

bool DisposeHandle(const Napi::Value& value) {
  TensorSlot* s = Slot(value, "tensor");
  if (s == nullptr) return false;
  Release(Table(value.Env()), *s);
  return true;
}

torch::Tensor OptionalTensor(const Napi::Value& value, const char* what) {
  if (value.IsUndefined() || value.IsNull()) return torch::Tensor();
  return Unwrap(value, what);
}

std::vector<torch::Tensor> UnwrapList(const Napi::Value& value, const char* what) {
  if (!value.IsArray()) ThrowType(value.Env(), std::string(what) + " must be an array of tensors");
  auto array = value.As<Napi::Array>();
  std::vector<torch::Tensor> out;
  out.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) out.push_back(Unwrap(array.Get(i), what));
  return out;
}

Napi::Array WrapList(Napi::Env env, const std::vector<torch::Tensor>& tensors) {
  auto array = Napi::Array::New(env, tensors.size());
  for (size_t i = 0; i < tensors.size(); i++) array.Set(static_cast<uint32_t>(i), Wrap(env, tensors[i]));
  return array;
}

}  // namespace ts
