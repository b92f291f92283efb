// Stand-in for a header Debian's libtorch-dev leaves out. c10d/reducer.hpp includes it for two names
// only: DistAutogradContext::GradCallback (in a static_assert) and ContextPtr (a member of the
// Reducer that is a shared_ptr and an atomic pointer, never touched outside libtorch). These
// declarations match PyTorch 1.13's torch/csrc/distributed/autograd/context/context.h, so the
// Reducer's layout is the one libtorch was compiled with. The real header takes precedence where it
// exists: this folder is added with -idirafter, searched after the system include paths.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>

namespace torch {
namespace distributed {
namespace autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
};

using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace autograd
}  // namespace distributed
}  // namespace torch
