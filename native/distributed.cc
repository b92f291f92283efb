// Data-parallel training on libtorch's own c10d: the TCPStore rendezvous, ProcessGroupGloo's
// collectives and the Reducer that PyTorch's DistributedDataParallel runs, so a Node rank and a Python
// rank can share one process group. lib/distributed/ is the API; this file is the binding.
//
// Threads: the rendezvous (TCPStore, Gloo's full mesh, the store-based barrier) blocks, so it runs on
// a thread of its own and JS gets a Promise. A collective is enqueued on the JS thread (Gloo then runs
// it on its own threads) and its Promise settles from the c10d Future's callback. The Reducer's all-reduces start from autograd
// hooks as buckets of gradients become ready, on Gloo's threads, while the rest of backward() runs.
//
// Built only where the headers are (Debian's libtorch-dev 1.13 with libgloo-dev): elsewhere every call
// but distAvailable() throws, and distAvailable() says why.
#include "addon.h"
#include "convert.h"

#if defined(__has_include)
#if __has_include(<torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>) && __has_include(<gloo/config.h>) && \
    __has_include(<torch/csrc/distributed/c10d/reducer.hpp>)
#include <torch/version.h>
#if TORCH_VERSION_MAJOR == 1 && TORCH_VERSION_MINOR >= 13
#define TS_HAVE_C10D 1
// ProcessGroupGloo.hpp is empty unless USE_C10D_GLOO is defined. libtorch's CMake target defines it
// (with USE_DISTRIBUTED) for its users, so the cmake-js build has it; a node-gyp build does not.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#endif
#endif
#endif

#ifdef TS_HAVE_C10D
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/comm.hpp>
#include <torch/csrc/distributed/c10d/logger.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>
#endif

#include <chrono>
#include <cstdlib>
#include <limits>
#include <thread>

namespace ts {

#ifdef TS_HAVE_C10D

struct DistState {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
  int rank = -1;
  int worldSize = 0;
  std::chrono::milliseconds timeout{0};
  bool initializing = false;

  // At the environment's teardown (a worker thread ending with its group still up) the group is let go
  // of, not destroyed: ProcessGroupGloo's destructor joins its threads, and a collective still waiting
  // for a peer would hold the teardown for the group's whole timeout (30 minutes by default).
  // destroyProcessGroup() destroys it properly.
  ~DistState() {
    if (pg) pg.release();
    if (store) store.release();
  }
};

namespace {

const napi_type_tag kDdpTag = {0x6c1f0a9e3b7d4582ULL, 0x9a2e5c7b1d3f4068ULL};

DistState& State(Napi::Env env) {
  AddonData* data = Data(env);
  if (!data->dist) data->dist = std::make_shared<DistState>();
  return *data->dist;
}

DistState& Initialized(Napi::Env env) {
  DistState& s = State(env);
  if (!s.pg) ThrowTorch(env, "ERR_DIST_NOT_INITIALIZED: the default process group is not initialized (call initProcessGroup first)");
  return s;
}

// A Promise settled from any thread. Nothing here blocks a libuv thread-pool thread: a collective
// settles from its c10d Future's callback (on Gloo's thread), the rendezvous from a thread of its own.
// Node's exit joins the thread pool, so a pool thread waiting on a peer (as an AsyncWorker would) held
// a rank that threw with an all-reduce in flight for the group's whole timeout (33 s with 30 s).
// The thread-safe function keeps the event loop alive while the operation is pending, as I/O does.
struct Pending {
  Napi::Promise::Deferred deferred;
  std::function<void(Napi::Env)> done;  // on success, on the JS thread, before resolving
  std::function<void()> failed;         // on failure, on the JS thread, before rejecting
};

void Settle(Napi::Env env, Napi::Function, Pending* pending, std::string* error) {
  std::unique_ptr<std::string> message(error);
  if (env == nullptr) return;  // the environment is going away
  if (message->empty()) {
    try {
      if (pending->done) pending->done(env);
    } catch (const std::exception& e) {
      pending->deferred.Reject(Napi::Error::New(env, e.what()).Value());
      return;
    }
    pending->deferred.Resolve(env.Undefined());
  } else {
    if (pending->failed) pending->failed();
    pending->deferred.Reject(Napi::Error::New(env, *message).Value());
  }
}

using Settler = Napi::TypedThreadSafeFunction<Pending, std::string, Settle>;

// A Promise and the settler that a thread calls once with "" (success) or an error message.
std::pair<Napi::Promise, Settler> NewPending(Napi::Env env, std::function<void(Napi::Env)> done = nullptr, std::function<void()> failed = nullptr) {
  auto* pending = new Pending{Napi::Promise::Deferred::New(env), std::move(done), std::move(failed)};
  Napi::Promise promise = pending->deferred.Promise();
  Settler settler = Settler::New(env, "torch-sentiment:distributed", 0, 1, pending, [](Napi::Env, void*, Pending* p) { delete p; });
  return {promise, settler};
}

void Deliver(Settler settler, std::string message) {
  settler.BlockingCall(new std::string(std::move(message)));
  settler.Release();
}

std::string Describe(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const c10::Error& e) {
    return CleanMessage(e.what_without_backtrace());
  } catch (const std::exception& e) {
    std::string m = CleanMessage(e.what());
    return m.empty() ? "unknown error" : m;
  } catch (...) {
    return "unknown error";
  }
}

Napi::Value Available(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("available", true);
  out.Set("backends", [&] {
    Napi::Array a = Napi::Array::New(info.Env(), 1);
    a.Set(0u, "gloo");
    return a;
  }());
  return out;
}

std::shared_ptr<::gloo::transport::Device> GlooDevice() {
  // As PyTorch: GLOO_SOCKET_IFNAME names the interface(s), else the address the host name resolves to.
  const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
  if (ifname != nullptr && *ifname != '\0') {
    std::string first(ifname);
    first = first.substr(0, first.find(','));
    return c10d::ProcessGroupGloo::createDeviceForInterface(first);
  }
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// init(host, port, rank, worldSize, timeoutMs) -> Promise<void>: what torch.distributed's
// init_process_group('gloo', ...) does in 1.13, step for step, so that Python ranks can join: a TCPStore
// (rank 0 runs the server, every rank waits for all), PrefixStore "default_pg" then the group name "0",
// Gloo's full mesh, the store-based barrier on "store_based_barrier_key:1", sequence numbers. One
// deadline covers the whole rendezvous.
Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string host = String(info[0], "host");
  int64_t port = Int(info[1], "port");
  int64_t rank = Int(info[2], "rank");
  int64_t worldSize = Int(info[3], "worldSize");
  int64_t timeoutMs = Int(info[4], "timeoutMs");
  if (port < 1 || port > 65535) ThrowType(env, "port must be in [1, 65535]");
  if (worldSize < 1 || worldSize > 65536) ThrowType(env, "worldSize must be in [1, 65536]");
  if (rank < 0 || rank >= worldSize) ThrowType(env, "rank must be in [0, worldSize)");
  if (timeoutMs < 1) ThrowType(env, "timeoutMs must be positive");
  DistState& s = State(env);
  if (s.pg || s.initializing) ThrowTorch(env, "ERR_DIST_ALREADY_INITIALIZED: the default process group is already initialized (or being initialized)");
  s.initializing = true;

  auto state = Data(env)->dist;
  auto result = std::make_shared<DistState>();
  auto timeout = std::chrono::milliseconds(timeoutMs);
  auto [promise, settler] = NewPending(
      env,
      [=](Napi::Env) {
        state->initializing = false;
        state->store = result->store;
        state->pg = result->pg;
        state->rank = static_cast<int>(rank);
        state->worldSize = static_cast<int>(worldSize);
        state->timeout = timeout;
      },
      [=] { state->initializing = false; });
  auto rendezvous = [=] {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        auto left = [&] {
          auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
          if (ms.count() <= 0) throw std::runtime_error("ERR_DIST_TIMEOUT: the rendezvous did not complete within " + std::to_string(timeoutMs) + " ms");
          return ms;
        };
        c10d::TCPStoreOptions opts;
        opts.port = static_cast<uint16_t>(port);
        opts.isServer = rank == 0;
        opts.numWorkers = static_cast<size_t>(worldSize);
        opts.waitWorkers = true;
        opts.timeout = left();
        opts.multiTenant = true;
        c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::TCPStore>(host, opts);
        store->setTimeout(left());
        auto defaultStore = c10::make_intrusive<c10d::PrefixStore>("default_pg", store);
        auto groupStore = c10::make_intrusive<c10d::PrefixStore>("0", defaultStore);
        auto options = c10d::ProcessGroupGloo::Options::create(timeout);
        options->devices.push_back(GlooDevice());
        options->threads = 2;
        auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(groupStore, static_cast<int>(rank), static_cast<int>(worldSize), options);
        // torch.distributed._store_based_barrier: every rank adds one, then waits for the count.
        const std::string key = "store_based_barrier_key:1";
        defaultStore->add(key, 1);
        while (defaultStore->add(key, 0) != worldSize) {
          left();
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        pg->setSequenceNumberForGroup();
        store->setTimeout(timeout);
        result->store = store;
        result->pg = pg;
  };
  // Detached: the process may exit while a rank waits for its peers.
  std::thread([rendezvous, settler = settler]() mutable {
    std::string error;
    try {
      rendezvous();
    } catch (...) {
      error = Describe(std::current_exception());
    }
    Deliver(settler, error);
  }).detach();
  return promise;
}

Napi::Value Destroy(const Napi::CallbackInfo& info) {
  DistState& s = State(info.Env());
  bool had = static_cast<bool>(s.pg);
  s.pg.reset();
  s.store.reset();
  s.rank = -1;
  s.worldSize = 0;
  return Napi::Boolean::New(info.Env(), had);
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  DistState& s = State(info.Env());
  if (!s.pg) return info.Env().Null();
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("rank", s.rank);
  out.Set("worldSize", s.worldSize);
  out.Set("backend", "gloo");
  out.Set("timeoutMs", static_cast<double>(s.timeout.count()));
  return out;
}

torch::Tensor CollectiveTensor(const Napi::Value& value) {
  torch::Tensor t = Unwrap(value, "tensor");
  if (!t.device().is_cpu()) ThrowType(value.Env(), "the gloo backend takes CPU tensors (this tensor is on " + DeviceString(t.device()) + ")");
  if (!t.is_contiguous()) ThrowType(value.Env(), "the tensor must be contiguous (call .contiguous() first)");
  if (t.layout() != torch::kStrided) ThrowType(value.Env(), "the tensor must be dense");
  return t;
}

// A Promise of an enqueued collective, settled from its Future's callback.
Napi::Value Await(Napi::Env env, c10::intrusive_ptr<c10d::Work> work) {
  auto [promise, settler] = NewPending(env);
  work->getFuture()->addCallback([work, settler = settler](c10::ivalue::Future& future) mutable {
    Deliver(settler, future.hasError() ? Describe(future.exception_ptr()) : std::string());
  });
  return promise;
}

c10d::ReduceOp Op(const Napi::Value& value) {
  std::string op = String(value, "op");
  if (op == "sum") return c10d::ReduceOp::SUM;
  if (op == "product") return c10d::ReduceOp::PRODUCT;
  if (op == "min") return c10d::ReduceOp::MIN;
  if (op == "max") return c10d::ReduceOp::MAX;
  ThrowType(value.Env(), "op must be 'sum', 'product', 'min' or 'max'");
}

// allReduce(tensor, op) -> Promise<void>, in place.
Napi::Value AllReduce(const Napi::CallbackInfo& info) {
  DistState& s = Initialized(info.Env());
  std::vector<at::Tensor> tensors{CollectiveTensor(info[0])};
  c10d::AllreduceOptions opts;
  opts.reduceOp = Op(info[1]);
  return Await(info.Env(), s.pg->allreduce(tensors, opts));
}

// broadcast(tensor, src) -> Promise<void>, in place.
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  DistState& s = Initialized(info.Env());
  std::vector<at::Tensor> tensors{CollectiveTensor(info[0])};
  int64_t src = Int(info[1], "src");
  if (src < 0 || src >= s.worldSize) ThrowType(info.Env(), "src must be a rank in [0, worldSize)");
  c10d::BroadcastOptions opts;
  opts.rootRank = src;
  return Await(info.Env(), s.pg->broadcast(tensors, opts));
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  DistState& s = Initialized(info.Env());
  return Await(info.Env(), s.pg->barrier());
}

// DistributedDataParallel's native half: the Reducer (gradient buckets, autograd hooks, all-reduce,
// averaging) and its Logger, set up as torch.nn.parallel.DistributedDataParallel 1.13 does.
struct DdpBox {
  std::shared_ptr<c10d::Reducer> reducer;
  std::shared_ptr<c10d::Logger> logger;
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
};

DdpBox* UnwrapDdp(const Napi::Value& value) {
  bool tagged = false;
  if (value.IsExternal()) napi_check_object_type_tag(value.Env(), value, &kDdpTag, &tagged);
  if (!tagged) ThrowType(value.Env(), "ddp must be a DistributedDataParallel handle");
  auto* box = value.As<Napi::External<DdpBox>>().Data();
  if (!box->reducer) ThrowTorch(value.Env(), "the DistributedDataParallel has been disposed");
  return box;
}

// ddpCreate(params, names, {bucketCapMB, gradientAsBucketView, findUnusedParameters, moduleName}):
// checks that every rank has the same parameter shapes, broadcasts rank 0's values, then builds the
// Reducer. Collective: every rank must call it.
Napi::Value DdpCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DistState& s = Initialized(env);
  std::vector<at::Tensor> params = UnwrapList(info[0], "params");
  if (params.empty()) ThrowType(env, "the module has no parameters");
  if (!info[1].IsArray()) ThrowType(env, "names must be an array");
  Napi::Array namesArray = info[1].As<Napi::Array>();
  if (namesArray.Length() != params.size()) ThrowType(env, "names must have one entry per parameter");
  std::unordered_map<size_t, std::string> names;
  for (uint32_t i = 0; i < namesArray.Length(); i++) names[i] = String(namesArray.Get(i), "names[i]");
  if (!info[2].IsObject()) ThrowType(env, "options must be an object");
  Napi::Object o = info[2].As<Napi::Object>();
  double bucketCapMB = o.Get("bucketCapMB").IsUndefined() ? 25.0 : Number(o.Get("bucketCapMB"), "bucketCapMB");
  if (!(bucketCapMB > 0) || bucketCapMB > 1e6) ThrowType(env, "bucketCapMB must be in (0, 1e6]");
  bool asView = o.Get("gradientAsBucketView").IsUndefined() ? false : Bool(o.Get("gradientAsBucketView"), "gradientAsBucketView");
  bool findUnused = o.Get("findUnusedParameters").IsUndefined() ? false : Bool(o.Get("findUnusedParameters"), "findUnusedParameters");
  std::string moduleName = o.Get("moduleName").IsUndefined() ? "Module" : String(o.Get("moduleName"), "moduleName");
  for (size_t i = 0; i < params.size(); i++) {
    const auto& p = params[i];
    if (!p.device().is_cpu()) ThrowType(env, "parameter " + names[i] + " is not on the CPU (the gloo backend of this build is CPU-only)");
    if (!p.requires_grad()) ThrowType(env, "parameter " + names[i] + " does not require grad");
    if (!p.is_leaf()) ThrowType(env, "parameter " + names[i] + " is not a leaf tensor");
    if (p.is_sparse()) ThrowType(env, "parameter " + names[i] + " is sparse");
  }
  const int64_t bucketBytes = static_cast<int64_t>(bucketCapMB * 1024 * 1024);
  auto box = std::make_unique<DdpBox>();
  box->pg = s.pg;
  {
    torch::NoGradGuard noGrad;
    c10d::verify_params_across_processes(s.pg, params, c10::nullopt);
    c10d::broadcast_coalesced(s.pg, params, 250 * 1024 * 1024, 0);
  }
  std::vector<bool> sparse(params.size(), false);
  std::vector<size_t> limits;
  if (findUnused) {
    limits = {static_cast<size_t>(1024 * 1024), static_cast<size_t>(bucketBytes)};
  } else {
    // As DDP 1.13: one bucket for the first iteration; rebuild_buckets() then cuts them by the order in
    // which gradients became ready.
    limits = {std::numeric_limits<size_t>::max()};
  }
  auto assignment = c10d::compute_bucket_assignment_by_size(params, limits, sparse);
  auto buckets = std::get<0>(assignment);
  auto perBucket = std::get<1>(assignment);
  std::reverse(buckets.begin(), buckets.end());
  std::reverse(perBucket.begin(), perBucket.end());
  box->reducer = std::make_shared<c10d::Reducer>(params, buckets, perBucket, s.pg, sparse, bucketBytes, findUnused, asView, names,
                                                 static_cast<int64_t>(1024 * 1024));
  box->logger = std::make_shared<c10d::Logger>(box->reducer);
  box->reducer->set_logger(box->logger);
  box->logger->set_construction_data_and_log(moduleName, {}, -1, false, false, false);
  auto external = Napi::External<DdpBox>::New(env, box.release(), [](Napi::Env, DdpBox* b) { delete b; });
  napi_type_tag_object(env, external, &kDdpTag);
  return external;
}

// ddpPreForward(ddp) -> whether this forward will sync gradients (grad mode on).
Napi::Value DdpPreForward(const Napi::CallbackInfo& info) {
  DdpBox* box = UnwrapDdp(info[0]);
  if (!torch::GradMode::is_enabled()) return Napi::Boolean::New(info.Env(), false);
  box->reducer->prepare_for_forward();
  box->reducer->rebuild_buckets();
  return Napi::Boolean::New(info.Env(), true);
}

// ddpPostForward(ddp, outputs): arms the autograd hooks for the coming backward().
Napi::Value DdpPostForward(const Napi::CallbackInfo& info) {
  DdpBox* box = UnwrapDdp(info[0]);
  std::vector<at::Tensor> outputs = UnwrapList(info[1], "outputs");
  box->reducer->prepare_for_backward(outputs);
  return info.Env().Undefined();
}

Napi::Value DdpRelease(const Napi::CallbackInfo& info) {
  bool tagged = false;
  if (info[0].IsExternal()) napi_check_object_type_tag(info.Env(), info[0], &kDdpTag, &tagged);
  if (!tagged) ThrowType(info.Env(), "ddp must be a DistributedDataParallel handle");
  auto* box = info[0].As<Napi::External<DdpBox>>().Data();
  box->logger.reset();
  box->reducer.reset();
  box->pg.reset();
  return info.Env().Undefined();
}

}  // namespace

void InitDistributed(Napi::Env env, Napi::Object exports) {
  Export<Available>(env, exports, "distAvailable");
  Export<Init>(env, exports, "distInit");
  Export<Destroy>(env, exports, "distDestroy");
  Export<Info>(env, exports, "distInfo");
  Export<AllReduce>(env, exports, "distAllReduce");
  Export<Broadcast>(env, exports, "distBroadcast");
  Export<Barrier>(env, exports, "distBarrier");
  Export<DdpCreate>(env, exports, "ddpCreate");
  Export<DdpPreForward>(env, exports, "ddpPreForward");
  Export<DdpPostForward>(env, exports, "ddpPostForward");
  Export<DdpRelease>(env, exports, "ddpRelease");
}

#else  // no c10d in this build

struct DistState {};

namespace {

const char* kWhy =
    "this build of torch-sentiment has no c10d: it needs libtorch 1.13's c10d headers and Gloo's (Debian: libgloo-dev) when the addon "
    "is compiled";

Napi::Value Available(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("available", false);
  out.Set("reason", kWhy);
  out.Set("backends", Napi::Array::New(info.Env(), 0));
  return out;
}

Napi::Value Unavailable(const Napi::CallbackInfo& info) { ThrowTorch(info.Env(), std::string("ERR_DIST_UNAVAILABLE: ") + kWhy); }

}  // namespace

void InitDistributed(Napi::Env env, Napi::Object exports) {
  Export<Available>(env, exports, "distAvailable");
  for (const char* name : {"distInit", "distDestroy", "distInfo", "distAllReduce", "distBroadcast", "distBarrier",
                           "ddpCreate", "ddpPreForward", "ddpPostForward", "ddpRelease"}) {
    exports.Set(name, Napi::Function::New(env, Guard<Unavailable>, name));
  }
}

#endif

}  // namespace ts
