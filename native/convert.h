// Argument conversion from JS values to C++ and libtorch types. Each throws a TypeError naming the
// argument when the value is of the wrong kind; lib/ validates first, so these are a backstop against
// crashes, not the user-facing checks.
#pragma once

#include <napi.h>
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ts {

// True for a number or a boolean (one napi_typeof): the scalar form of a tensor-or-scalar argument.
bool IsScalar(const Napi::Value& value);

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

}  // namespace ts
