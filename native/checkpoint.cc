// Checkpoints: tensors from validated bytes, and tensors' bytes for writing. The file formats (torch.save's
// zip + pickle, safetensors) are parsed and validated in lib/checkpoint/; no untrusted byte reaches a
// libtorch parser. This file re-checks every bound it relies on, so a bug on the JS side is an error here,
// never an out-of-bounds read.
#include "addon.h"
#include "convert.h"

#include <cmath>
#include <cstring>

namespace ts {
namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1: JS numbers are exact up to here

// A non-negative integer below 2^53 from a JS number; anything else is a TypeError naming the field.
int64_t Count(Napi::Env env, const Napi::Value& value, const std::string& what) {
  if (!value.IsNumber()) ThrowType(env, what + " must be a non-negative integer");
  double d = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d < 0 || d > kMaxSafeInteger || std::floor(d) != d) {
    ThrowType(env, what + " must be a non-negative integer below 2^53");
  }
  return static_cast<int64_t>(d);
}

// One tensor's spec: [byteOffset, byteLength, dtype, storageOffset, ndim, ...sizes, ...strides], where
// byteOffset/byteLength locate its storage in the buffer and storageOffset, sizes, strides are elements.
torch::Tensor FromSpec(Napi::Env env, const uint8_t* data, size_t length, const Napi::Value& value, uint32_t index) {
  std::string where = "specs[" + std::to_string(index) + "]";
  if (!value.IsArray()) ThrowType(env, where + " must be an array");
  auto spec = value.As<Napi::Array>();
  if (spec.Length() < 5) ThrowType(env, where + " is too short");
  int64_t byteOffset = Count(env, spec.Get(0u), where + ".byteOffset");
  int64_t byteLength = Count(env, spec.Get(1u), where + ".byteLength");
  c10::ScalarType dtype = Dtype(spec.Get(2u), "dtype");
  int64_t storageOffset = Count(env, spec.Get(3u), where + ".storageOffset");
  int64_t ndim = Count(env, spec.Get(4u), where + ".ndim");
  if (ndim > 64 || spec.Length() != static_cast<uint32_t>(5 + 2 * ndim)) ThrowType(env, where + " has the wrong length for its ndim");
  if (static_cast<uint64_t>(byteOffset) > length || static_cast<uint64_t>(byteLength) > length - byteOffset) {
    ThrowTorch(env, where + ": storage bytes lie outside the buffer");
  }
  int64_t elementSize = static_cast<int64_t>(c10::elementSize(dtype));
  if (byteLength % elementSize != 0) ThrowTorch(env, where + ": storage length is not a multiple of the element size");
  int64_t storageNumel = byteLength / elementSize;
  std::vector<int64_t> sizes(ndim), strides(ndim);
  int64_t numel = 1, last = storageOffset;  // last: the highest element index the view touches
  bool contiguous = true;
  int64_t expected = 1;
  for (int64_t d = ndim - 1; d >= 0; d--) {
    sizes[d] = Count(env, spec.Get(static_cast<uint32_t>(5 + d)), where + ".sizes");
    strides[d] = Count(env, spec.Get(static_cast<uint32_t>(5 + ndim + d)), where + ".strides");
    if (__builtin_mul_overflow(numel, sizes[d], &numel)) ThrowTorch(env, where + ": numel overflows");
    if (sizes[d] > 1 && strides[d] != expected) contiguous = false;
    if (sizes[d] > 0 && __builtin_mul_overflow(expected, sizes[d], &expected)) expected = INT64_MAX;
    int64_t reach;
    if (sizes[d] > 0 && (__builtin_mul_overflow(sizes[d] - 1, strides[d], &reach) || __builtin_add_overflow(last, reach, &last))) {
      ThrowTorch(env, where + ": strides reach past any storage");
    }
  }
  if (numel > 0 && last >= storageNumel) ThrowTorch(env, where + ": the view reaches past its storage");
  if (numel == 0 && storageOffset > storageNumel) ThrowTorch(env, where + ": storage offset is past its storage");
  const uint8_t* base = data + byteOffset;
  if (contiguous) {
    // The common case: one memcpy into an aligned tensor of the right shape.
    torch::Tensor out = torch::empty(sizes, torch::TensorOptions().dtype(dtype));
    if (numel) std::memcpy(out.data_ptr(), base + storageOffset * elementSize, static_cast<size_t>(numel * elementSize));
    return out;
  }
  if (numel == 0) return torch::empty(sizes, torch::TensorOptions().dtype(dtype));
  // A strided view: copy the span it touches into an aligned buffer (file bytes need not be aligned),
  // then gather it into a contiguous tensor.
  int64_t span = last - storageOffset + 1;
  torch::Tensor flat = torch::empty({span}, torch::TensorOptions().dtype(dtype));
  std::memcpy(flat.data_ptr(), base + storageOffset * elementSize, static_cast<size_t>(span * elementSize));
  return flat.as_strided(sizes, strides, 0).contiguous();
}

// tensorsFromBytes(data, specs[]) -> handle[]. All tensors or none: a failure on any spec frees the ones
// already made, because nothing is wrapped (handed to JS) before every tensor exists.
Napi::Value TensorsFromBytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowType(env, "data must be a Buffer or Uint8Array");
  }
  auto array = info[0].As<Napi::Uint8Array>();
  if (!info[1].IsArray()) ThrowType(env, "specs must be an array");
  auto specs = info[1].As<Napi::Array>();
  const uint8_t* data = array.Data();
  size_t length = array.ByteLength();
  std::vector<torch::Tensor> tensors;
  tensors.reserve(specs.Length());
  for (uint32_t i = 0; i < specs.Length(); i++) tensors.push_back(FromSpec(env, data, length, specs.Get(i), i));
  return WrapList(env, tensors);
}

// tensorsToBytes(handles[]) -> Buffer[]: each tensor's elements, detached, on the CPU, contiguous, in
// its own dtype (little-endian, as every platform libtorch runs on).
Napi::Value TensorsToBytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<torch::Tensor> tensors = UnwrapList(info[0], "tensors");
  auto out = Napi::Array::New(env, tensors.size());
  for (size_t i = 0; i < tensors.size(); i++) {
    torch::Tensor t = tensors[i].detach().to(torch::kCPU).contiguous();
    size_t bytes = static_cast<size_t>(t.numel()) * t.element_size();
    auto buffer = Napi::Buffer<uint8_t>::New(env, bytes);
    if (bytes) std::memcpy(buffer.Data(), t.data_ptr(), bytes);
    out.Set(static_cast<uint32_t>(i), buffer);
  }
  return out;
}

}  // namespace

void InitCheckpoint(Napi::Env env, Napi::Object exports) {
  Export<TensorsFromBytes>(env, exports, "tensorsFromBytes");
  Export<TensorsToBytes>(env, exports, "tensorsToBytes");
}

}  // namespace ts
