// Tensors: creation from typed arrays and factories, metadata, reading data back, dispose, conversion.
#include "addon.h"
#include "convert.h"

#include <cstring>

namespace ts {
namespace {

torch::TensorOptions Options(const Napi::CallbackInfo& info, size_t dtypeArg, size_t deviceArg) {
  auto options = torch::TensorOptions().dtype(Dtype(info[dtypeArg], "dtype"));
  if (!info[deviceArg].IsUndefined()) options = options.device(Device(info[deviceArg], "device"));
  return options;
}

template <typename From, typename To>
void Widen(const From* from, To* to, int64_t n) {
  for (int64_t i = 0; i < n; i++) to[i] = static_cast<To>(from[i]);  // vectorised by the compiler
}

// fromTypedArray(data, shape, dtype, device?) -> handle. The typed array is copied.
Napi::Value FromTypedArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) ThrowType(env, "data must be a TypedArray");
  auto array = info[0].As<Napi::TypedArray>();
  c10::ScalarType source;
  switch (array.TypedArrayType()) {
    case napi_float32_array: source = torch::kFloat32; break;
    case napi_float64_array: source = torch::kFloat64; break;
    case napi_int32_array: source = torch::kInt32; break;
    case napi_bigint64_array: source = torch::kInt64; break;
    case napi_uint8_array: source = torch::kUInt8; break;
    case napi_int8_array: source = torch::kInt8; break;
    case napi_int16_array: source = torch::kInt16; break;
    default: ThrowType(env, "data must be a Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array, Int8Array or Int16Array");
  }
  std::vector<int64_t> shape = IntList(info[1], "shape");
  int64_t numel = 1;
  for (int64_t d : shape) {
    if (d < 0) ThrowType(env, "shape must not have negative sizes");
    numel *= d;
  }
  if (numel != static_cast<int64_t>(array.ElementLength())) {
    ThrowType(env, "shape does not match the number of elements in data");
  }
  auto options = Options(info, 2, 3);
  // Checked last, after everything that could run JS: a detached buffer reads as 0 elements, and is
  // refused rather than turned into an empty tensor (or read after being freed).
  if (array.ArrayBuffer().IsDetached()) ThrowType(env, "data's ArrayBuffer is detached (transferred or destroyed)");
  auto* data = static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
  // Copy (or widen) straight into a new tensor of the target type: the common cases (same type; token
  // ids from an Int32Array to int64; Float64Array to float32) skip from_blob's temporary tensor and the
  // TensorIterator copy, which cost more than the copy itself for batch-sized data. For a CUDA target
  // the host tensor is pinned and the upload is asynchronous: a training loop's next batch goes up
  // while the device still runs the current step, instead of the host waiting for the stream to drain
  // (libtorch's caching host allocator keeps the pinned block until the copy is done).
  c10::ScalarType target = c10::typeMetaToScalarType(options.dtype());
  bool cuda = options.has_device() && options.device().is_cuda();
  if ((!options.has_device() || options.device().is_cpu() || cuda) &&
      (target == source || (source == torch::kInt32 && target == torch::kInt64) ||
       (source == torch::kFloat64 && target == torch::kFloat32))) {
    torch::Tensor host = torch::empty(shape, torch::TensorOptions().dtype(target).pinned_memory(cuda));
    if (target == source) {
      if (numel) std::memcpy(host.data_ptr(), data, numel * host.element_size());
    } else if (target == torch::kInt64) {
      Widen(reinterpret_cast<const int32_t*>(data), host.data_ptr<int64_t>(), numel);
    } else {
      Widen(reinterpret_cast<const double*>(data), host.data_ptr<float>(), numel);
    }
    if (!cuda) return Wrap(env, host);
    return Wrap(env, host.to(options.device(), target, /*non_blocking=*/true));
  }
  torch::Tensor view = torch::from_blob(data, shape, torch::TensorOptions().dtype(source));
  return Wrap(env, view.to(options, /*non_blocking=*/false, /*copy=*/true));
}

// factory(kind, shape, dtype, device?, a?, b?) -> handle
Napi::Value Factory(const Napi::CallbackInfo& info) {
  std::string kind = String(info[0], "kind");
  std::vector<int64_t> shape = IntList(info[1], "shape");
  auto options = Options(info, 2, 3);
  torch::Tensor out;
  if (kind == "zeros") out = torch::zeros(shape, options);
  else if (kind == "ones") out = torch::ones(shape, options);
  else if (kind == "empty") out = torch::empty(shape, options);
  else if (kind == "full") out = torch::full(shape, Scalar(info[4], "value"), options);
  else if (kind == "randn") out = torch::randn(shape, options);
  else if (kind == "rand") out = torch::rand(shape, options);
  else if (kind == "randint") out = torch::randint(Int(info[4], "low"), Int(info[5], "high"), shape, options);
  else ThrowType(info.Env(), "unknown factory " + kind);
  return Wrap(info.Env(), out);
}

// arange(start, end, step, dtype, device?)
Napi::Value Arange(const Napi::CallbackInfo& info) {
  auto options = Options(info, 3, 4);
  return Wrap(info.Env(), torch::arange(Scalar(info[0], "start"), Scalar(info[1], "end"), Scalar(info[2], "step"), options));
}

// meta(h) -> [dtypeCode, device, requiresGrad, ...shape]
Napi::Value Meta(const Napi::CallbackInfo& info) {
  const torch::Tensor& t = Unwrap(info[0], "tensor");
  Napi::Env env = info.Env();
  auto sizes = t.sizes();
  auto out = Napi::Array::New(env, 3 + sizes.size());
  out.Set(0u, Napi::Number::New(env, DtypeCode(t.scalar_type())));
  out.Set(1u, Napi::String::New(env, DeviceString(t.device())));
  out.Set(2u, Napi::Boolean::New(env, t.requires_grad()));
  for (size_t i = 0; i < sizes.size(); i++) out.Set(static_cast<uint32_t>(3 + i), Napi::Number::New(env, static_cast<double>(sizes[i])));
  return out;
}

Napi::Value Shape(const Napi::CallbackInfo& info) {
  const torch::Tensor& t = Unwrap(info[0], "tensor");
  auto sizes = t.sizes();
  auto out = Napi::Array::New(info.Env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), static_cast<double>(sizes[i])));
  return out;
}

// toTypedArray(h) -> a new typed array holding a copy of the data (CPU, contiguous).
Napi::Value ToTypedArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  torch::Tensor t = Unwrap(info[0], "tensor").detach();
  if (t.scalar_type() == torch::kFloat16 || t.scalar_type() == torch::kBFloat16) t = t.to(torch::kFloat32);
  if (t.scalar_type() == torch::kBool) t = t.to(torch::kUInt8);
  t = t.to(torch::kCPU).contiguous();
  size_t bytes = t.numel() * t.element_size();
  auto buffer = Napi::ArrayBuffer::New(env, bytes);
  if (bytes) std::memcpy(buffer.Data(), t.data_ptr(), bytes);
  size_t n = t.numel();
  switch (t.scalar_type()) {
    case torch::kFloat32: return Napi::Float32Array::New(env, n, buffer, 0);
    case torch::kFloat64: return Napi::Float64Array::New(env, n, buffer, 0);
    case torch::kInt32: return Napi::Int32Array::New(env, n, buffer, 0);
    case torch::kInt64: return Napi::BigInt64Array::New(env, n, buffer, 0);
    case torch::kUInt8: return Napi::Uint8Array::New(env, n, buffer, 0);
    case torch::kInt8: return Napi::Int8Array::New(env, n, buffer, 0);
    case torch::kInt16: return Napi::Int16Array::New(env, n, buffer, 0);
    default: ThrowTorch(env, std::string("cannot read tensors of dtype ") + c10::toString(t.scalar_type()));
  }
}

// item(h) -> number | boolean
Napi::Value Item(const Napi::CallbackInfo& info) {
  const torch::Tensor& t = Unwrap(info[0], "tensor");
  torch::Scalar s = t.item();
  if (s.isBoolean()) return Napi::Boolean::New(info.Env(), s.toBool());
  if (s.isIntegral(false)) return Napi::Number::New(info.Env(), static_cast<double>(s.toLong()));
  return Napi::Number::New(info.Env(), s.toDouble());
}

// dispose(h) -> true when this call released it
Napi::Value Dispose(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), DisposeHandle(info[0]));
}

Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Slot(info[0], "tensor") == nullptr);
}

// to(h, dtype?, device?, copy) -> handle
Napi::Value To(const Napi::CallbackInfo& info) {
  const torch::Tensor& t = Unwrap(info[0], "tensor");
  auto options = torch::TensorOptions().dtype(info[1].IsUndefined() ? t.scalar_type() : Dtype(info[1], "dtype"));
  options = options.device(info[2].IsUndefined() ? t.device() : Device(info[2], "device"));
  bool copy = info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  return Wrap(info.Env(), t.to(options, /*non_blocking=*/false, copy));
}

Napi::Value Clone(const Napi::CallbackInfo& info) { return Wrap(info.Env(), Unwrap(info[0], "tensor").clone()); }
Napi::Value Contiguous(const Napi::CallbackInfo& info) { return Wrap(info.Env(), Unwrap(info[0], "tensor").contiguous()); }
Napi::Value IsContiguous(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Unwrap(info[0], "tensor").is_contiguous());
}

// toString(h) -> libtorch's printout
Napi::Value ToString(const Napi::CallbackInfo& info) {
  std::ostringstream out;
  out << Unwrap(info[0], "tensor");
  return Napi::String::New(info.Env(), out.str());
}

}  // namespace

void InitTensor(Napi::Env env, Napi::Object exports) {
  Export<FromTypedArray>(env, exports, "fromTypedArray");
  Export<Factory>(env, exports, "factory");
  Export<Arange>(env, exports, "arange");
  Export<Meta>(env, exports, "meta");
  Export<Shape>(env, exports, "shape");
  Export<ToTypedArray>(env, exports, "toTypedArray");
  Export<Item>(env, exports, "item");
  Export<Dispose>(env, exports, "dispose");
  Export<IsDisposed>(env, exports, "isDisposed");
  Export<To>(env, exports, "to");
  Export<Clone>(env, exports, "clone");
  Export<Contiguous>(env, exports, "contiguous");
  Export<IsContiguous>(env, exports, "isContiguous");
  Export<ToString>(env, exports, "toString");
}

}  // namespace ts
