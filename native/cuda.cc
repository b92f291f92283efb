// CUDA: whether it is there, how many devices, waiting for them, and the CUDA backends' switches
// (torch.cuda, torch.backends). Behind lib/device.ts.
#include "addon.h"
#include "convert.h"

namespace ts {
namespace {

Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), torch::cuda::is_available());
}

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(torch::cuda::device_count()));
}

Napi::Value CudaSynchronize(const Napi::CallbackInfo& info) {
  if (torch::cuda::is_available()) torch::cuda::synchronize();
  return info.Env().Undefined();
}

// setAllowTF32(cudnn, cublas): torch.backends.cudnn.allow_tf32 / torch.backends.cuda.matmul.allow_tf32.
// PyTorch's defaults: cuDNN (convolutions, RNNs) may use TF32 on Ampere and later, cuBLAS may not.
Napi::Value SetAllowTF32(const Napi::CallbackInfo& info) {
#ifndef TS_SAFE_BUILD
  at::globalContext().setAllowTF32CuDNN(Bool(info[0], "cudnn"));
  at::globalContext().setAllowTF32CuBLAS(Bool(info[1], "cublas"));
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

}  // namespace

void InitCuda(Napi::Env env, Napi::Object exports) {
  Export<CudaIsAvailable>(env, exports, "cudaIsAvailable");
  Export<CudaDeviceCount>(env, exports, "cudaDeviceCount");
  Export<CudaSynchronize>(env, exports, "cudaSynchronize");
  Export<SetAllowTF32>(env, exports, "setAllowTF32");
}

}  // namespace ts
