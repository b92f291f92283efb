// The one place where failures become JavaScript errors. Every exported function runs inside Guard<F>,
// so a libtorch failure reaches JS as one TorchError (lib/errors.ts) carrying libtorch's message
// without the C++ backtrace, and bad arguments as TypeErrors; nothing crashes the process.
#pragma once

#include <napi.h>
#include <torch/torch.h>

#include <string>

namespace ts {

// Throws lib/errors.ts's TorchError (a plain Error before setErrorClass has run).
[[noreturn]] void ThrowTorch(Napi::Env env, const std::string& message);
[[noreturn]] void ThrowType(Napi::Env env, const std::string& message);
// libtorch's message without the trailing whitespace it leaves after dropping the backtrace.
std::string CleanMessage(const std::string& message);

using Callback = Napi::Value (*)(const Napi::CallbackInfo&);

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

}  // namespace ts
