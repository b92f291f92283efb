#include "common.h"

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

// Frees a live slot's tensor and puts the slot back on the free list; its generation moves on, so
// every handle made for it is stale from now on.
void Release(AddonData* data, TensorSlot& s) {
  s.tensor.reset();
  s.live = false;
  s.generation++;
  data->freeSlots.push_back(s.index);
}
}  // namespace

bool IsScalar(const Napi::Value& value) {
  napi_valuetype type;
  if (napi_typeof(value.Env(), value, &type) != napi_ok) return false;
  return type == napi_number || type == napi_boolean;
}

AddonData* Data(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

Napi::Value Wrap(Napi::Env env, torch::Tensor tensor) {
  AddonData* data = Data(env);
  uint32_t slot;
  if (!data->freeSlots.empty()) {
    slot = data->freeSlots.back();
    data->freeSlots.pop_back();
  } else {
    if (data->slots.size() > kSlotMask) ThrowTorch(env, "too many live tensors (16,777,216): dispose tensors you no longer need");
    slot = static_cast<uint32_t>(data->slots.size());
    data->slots.emplace_back();
    data->slots.back().index = slot;
  }
  TensorSlot& s = data->slots[slot];
  s.tensor = std::move(tensor);
  s.live = true;
  napi_value out;
  if (napi_create_bigint_uint64(env, Encode(slot, s.generation), &out) != napi_ok) {
    Release(data, s);
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
    if ((bits & (0xFFFFULL << 48)) == kHandleTag && data != nullptr && slot < data->slots.size()) {
      TensorSlot* s = &data->slots[slot];
      bool stale = !s->live || (s->generation & kGenerationMask) != ((bits >> kSlotBits) & kGenerationMask);
      return stale ? nullptr : s;
    }
  }
  ThrowType(value.Env(), std::string(what) + " must be a Tensor handle");
}

const torch::Tensor& Unwrap(const Napi::Value& value, const char* what) {
  TensorSlot* s = Slot(value, what);
  if (s == nullptr) ThrowTorch(value.Env(), std::string(what) + " is a disposed tensor");
  return s->tensor;
}

bool DisposeHandle(const Napi::Value& value) {
  TensorSlot* s = Slot(value, "tensor");
  if (s == nullptr) return false;
  Release(Data(value.Env()), *s);
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

int64_t Int(const Napi::Value& value, const char* what) {
  if (!value.IsNumber()) ThrowType(value.Env(), std::string(what) + " must be an integer");
  double d = value.As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int64_t>(d))) {
    ThrowType(value.Env(), std::string(what) + " must be an integer");
  }
  return static_cast<int64_t>(d);
}

double Number(const Napi::Value& value, const char* what) {
  if (!value.IsNumber()) ThrowType(value.Env(), std::string(what) + " must be a number");
  return value.As<Napi::Number>().DoubleValue();
}

bool Bool(const Napi::Value& value, const char* what) {
  if (!value.IsBoolean()) ThrowType(value.Env(), std::string(what) + " must be a boolean");
  return value.As<Napi::Boolean>().Value();
}

std::string String(const Napi::Value& value, const char* what) {
  if (!value.IsString()) ThrowType(value.Env(), std::string(what) + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

std::vector<int64_t> IntList(const Napi::Value& value, const char* what) {
  if (!value.IsArray()) ThrowType(value.Env(), std::string(what) + " must be an array of integers");
  auto array = value.As<Napi::Array>();
  std::vector<int64_t> out(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) out[i] = Int(array.Get(i), what);
  return out;
}

c10::optional<int64_t> OptionalInt(const Napi::Value& value, const char* what) {
  if (value.IsUndefined() || value.IsNull()) return c10::nullopt;
  return Int(value, what);
}

namespace {
const c10::ScalarType kDtypes[] = {
    torch::kFloat32, torch::kFloat64, torch::kInt32, torch::kInt64, torch::kBool,
    torch::kUInt8,   torch::kInt8,    torch::kInt16, torch::kFloat16, torch::kBFloat16,
};
}

c10::ScalarType Dtype(const Napi::Value& value, const char* what) {
  int64_t code = Int(value, what);
  if (code < 0 || code >= static_cast<int64_t>(std::size(kDtypes))) {
    ThrowType(value.Env(), std::string(what) + " is not a known dtype code");
  }
  return kDtypes[code];
}

int DtypeCode(c10::ScalarType type) {
  for (size_t i = 0; i < std::size(kDtypes); i++) {
    if (kDtypes[i] == type) return static_cast<int>(i);
  }
  return -1;
}

torch::Device Device(const Napi::Value& value, const char* what) {
  return torch::Device(String(value, what));  // throws c10::Error on a malformed string
}

std::string DeviceString(const torch::Device& device) { return device.str(); }

torch::Scalar Scalar(const Napi::Value& value, const char* what) {
  if (value.IsBoolean()) return torch::Scalar(value.As<Napi::Boolean>().Value());
  double d = Number(value, what);
  if (d == static_cast<double>(static_cast<int64_t>(d)) && std::abs(d) < 9007199254740992.0) {
    return torch::Scalar(static_cast<int64_t>(d));
  }
  return torch::Scalar(d);
}

std::string CleanMessage(const std::string& message) {
  size_t end = message.find_last_not_of(" \n\r\t");
  return end == std::string::npos ? message : message.substr(0, end + 1);
}

void ThrowTorch(Napi::Env env, const std::string& message) {
  AddonData* data = Data(env);
  if (data && !data->torchError.IsEmpty()) {
    Napi::Object error = data->torchError.New({Napi::String::New(env, message)});
    throw Napi::Error(env, error);
  }
  throw Napi::Error::New(env, message);
}

void ThrowType(Napi::Env env, const std::string& message) { throw Napi::TypeError::New(env, message); }

}  // namespace ts
