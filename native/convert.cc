#include "convert.h"

#include "errors.h"

#include <cmath>
#include <iterator>

namespace ts {

bool IsScalar(const Napi::Value& value) {
  napi_valuetype type;
  if (napi_typeof(value.Env(), value, &type) != napi_ok) return false;
  return type == napi_number || type == napi_boolean;
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

}  // namespace ts
