#include "errors.h"

#include "addon.h"

namespace ts {

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
