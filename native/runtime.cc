// Process settings of libtorch and the libraries under it (the seed, threads, denormals, the
// allocator), and what the addon was built against and runs on. Behind lib/runtime.ts and the loader.
// Unlike the per-environment state in addon.h these act on the whole process, as in PyTorch.
#include "addon.h"
#include "convert.h"

#include <limits>

#include <dlfcn.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ts {
namespace {

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  double seed = Number(info[0], "seed");
  torch::manual_seed(static_cast<uint64_t>(seed));  // seeds the CPU and every CUDA generator
  return info.Env().Undefined();
}

// A thread count for a C int: 2**32 + 1 must not become 1 (lib/runtime.ts also caps it lower).
int Threads(const Napi::Value& value) {
  int64_t n = Int(value, "threads");
  if (n < 1 || n > std::numeric_limits<int>::max()) ThrowType(value.Env(), "threads must be an integer in [1, 2147483647]");
  return static_cast<int>(n);
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  torch::set_num_threads(Threads(info[0]));
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), torch::get_num_threads());
}

// setMallocThresholds(mmapBytes, trimBytes) -> applied. glibc's defaults map and unmap large blocks on
// every allocation, which dominates libtorch's CPU RNN backward; raising both keeps them in the heap.
Napi::Value SetMallocThresholds(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  int64_t mmapBytes = Int(info[0], "mmapThreshold");
  int64_t trimBytes = Int(info[1], "trimThreshold");
  bool ok = mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmapBytes)) == 1 && mallopt(M_TRIM_THRESHOLD, static_cast<int>(trimBytes)) == 1;
  return Napi::Boolean::New(info.Env(), ok);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

// setFlushDenormal(on) -> supported: torch.set_flush_denormal. Gradients that vanish through long
// recurrences become denormal floats, which the CPU handles far slower than normal ones.
Napi::Value SetFlushDenormal(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::globalContext().setFlushDenormal(Bool(info[0], "on")));
}

// setBlasThreads(n) -> applied: OpenBLAS's own thread count (openblas_set_num_threads), which libtorch's
// set_num_threads does not change when the BLAS is OpenBLAS; false when the BLAS is not OpenBLAS.
Napi::Value SetBlasThreads(const Napi::CallbackInfo& info) {
  int n = Threads(info[0]);
  using SetThreads = void (*)(int);
  auto fn = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (fn == nullptr) return Napi::Boolean::New(info.Env(), false);
  fn(n);
  return Napi::Boolean::New(info.Env(), true);
}

// blasInfo() -> {core, config}: what OpenBLAS reports (openblas_get_corename, openblas_get_config),
// nulls when libtorch's BLAS is not OpenBLAS.
Napi::Value BlasInfo(const Napi::CallbackInfo& info) {
  using GetString = char* (*)();
  auto out = Napi::Object::New(info.Env());
  for (auto [key, symbol] : {std::pair<const char*, const char*>{"core", "openblas_get_corename"}, {"config", "openblas_get_config"}}) {
    auto fn = reinterpret_cast<GetString>(dlsym(RTLD_DEFAULT, symbol));
    const char* value = fn != nullptr ? fn() : nullptr;
    out.Set(key, value != nullptr ? Napi::Value(Napi::String::New(info.Env(), value)) : info.Env().Null());
  }
  return out;
}

// buildInfo() -> {libtorch: "1.13.0", cuda: bool (compiled with CUDA and a device present)}
Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  auto out = Napi::Object::New(info.Env());
  out.Set("libtorch", Napi::String::New(info.Env(), TORCH_VERSION));
  out.Set("cudaAvailable", Napi::Boolean::New(info.Env(), torch::cuda::is_available()));
  return out;
}

}  // namespace

void InitRuntime(Napi::Env env, Napi::Object exports) {
  Export<ManualSeed>(env, exports, "manualSeed");
  Export<SetNumThreads>(env, exports, "setNumThreads");
  Export<GetNumThreads>(env, exports, "getNumThreads");
  Export<BuildInfo>(env, exports, "buildInfo");
  Export<BlasInfo>(env, exports, "blasInfo");
  Export<SetMallocThresholds>(env, exports, "setMallocThresholds");
  Export<SetFlushDenormal>(env, exports, "setFlushDenormal");
  Export<SetBlasThreads>(env, exports, "setBlasThreads");
}

}  // namespace ts
