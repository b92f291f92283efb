// Tensor operations with PyTorch's names and semantics: arithmetic, comparison, reductions, shape,
// indexing and the in-place fills used by initialisation.
#include "addon.h"
#include "convert.h"

namespace ts {
namespace {

using torch::Tensor;

// Binary ops take a tensor and a tensor or a number (a Python-style "wrapped number").
#define TS_BINARY(NAME, EXPR_T, EXPR_S)                                      \
  Napi::Value NAME(const Napi::CallbackInfo& info) {                         \
    const Tensor& a = Unwrap(info[0], "self");                               \
    if (IsScalar(info[1])) {                                                 \
      torch::Scalar s = Scalar(info[1], "other");                            \
      return Wrap(info.Env(), EXPR_S);                                       \
    }                                                                        \
    const Tensor& b = Unwrap(info[1], "other");                              \
    return Wrap(info.Env(), EXPR_T);                                         \
  }

Tensor ScalarLike(const torch::Scalar& s, const Tensor& like) {
  return torch::scalar_tensor(s, torch::TensorOptions().device(like.device()).dtype(s.type()));
}

TS_BINARY(Add, a.add(b), a.add(s))
TS_BINARY(Sub, a.sub(b), a.sub(s))
TS_BINARY(Mul, a.mul(b), a.mul(s))
TS_BINARY(Div, a.div(b), a.div(s))
TS_BINARY(Pow, a.pow(b), a.pow(s))
TS_BINARY(Remainder, a.remainder(b), a.remainder(s))
TS_BINARY(Maximum, a.maximum(b), a.maximum(ScalarLike(s, a)))
TS_BINARY(Minimum, a.minimum(b), a.minimum(ScalarLike(s, a)))
TS_BINARY(Eq, a.eq(b), a.eq(s))
TS_BINARY(Ne, a.ne(b), a.ne(s))
TS_BINARY(Lt, a.lt(b), a.lt(s))
TS_BINARY(Le, a.le(b), a.le(s))
TS_BINARY(Gt, a.gt(b), a.gt(s))
TS_BINARY(Ge, a.ge(b), a.ge(s))
TS_BINARY(LogicalAnd, a.logical_and(b), a.logical_and(ScalarLike(s, a)))
TS_BINARY(LogicalOr, a.logical_or(b), a.logical_or(ScalarLike(s, a)))

Napi::Value Matmul(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0], "self").matmul(Unwrap(info[1], "other")));
}

#define TS_UNARY(NAME, METHOD) \
  Napi::Value NAME(const Napi::CallbackInfo& info) { return Wrap(info.Env(), Unwrap(info[0], "self").METHOD()); }

TS_UNARY(Neg, neg)
TS_UNARY(Abs, abs)
TS_UNARY(Exp, exp)
TS_UNARY(Log, log)
TS_UNARY(Sqrt, sqrt)
TS_UNARY(Sigmoid, sigmoid)
TS_UNARY(Tanh, tanh)
TS_UNARY(Relu, relu)
TS_UNARY(Round, round)
TS_UNARY(Floor, floor)
TS_UNARY(Ceil, ceil)
TS_UNARY(Sign, sign)
TS_UNARY(LogicalNot, logical_not)
TS_UNARY(Isnan, isnan)
TS_UNARY(Reciprocal, reciprocal)
TS_UNARY(T, t)

Napi::Value Clamp(const Napi::CallbackInfo& info) {
  c10::optional<torch::Scalar> lo, hi;
  if (IsScalar(info[1])) lo = Scalar(info[1], "min");
  if (IsScalar(info[2])) hi = Scalar(info[2], "max");
  return Wrap(info.Env(), Unwrap(info[0], "self").clamp(lo, hi));
}

// Reductions: reduce(kind, h, dims | undefined, keepdim)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  std::string kind = String(info[0], "kind");
  const Tensor& t = Unwrap(info[1], "self");
  bool all = info[2].IsUndefined() || info[2].IsNull();
  bool keepdim = info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  std::vector<int64_t> dims = all ? std::vector<int64_t>() : IntList(info[2], "dim");
  Tensor out;
  if (kind == "sum") out = all ? t.sum() : t.sum(dims, keepdim);
  else if (kind == "mean") out = all ? t.mean() : t.mean(dims, keepdim);
  else if (kind == "amax") out = all ? t.max() : t.amax(dims, keepdim);
  else if (kind == "amin") out = all ? t.min() : t.amin(dims, keepdim);
  else if (kind == "std") out = all ? t.std() : t.std(dims, /*unbiased=*/true, keepdim);
  else if (kind == "norm") out = all ? t.norm() : t.norm(2, dims, keepdim);
  else if (kind == "all") out = all ? t.all() : t.all(dims.at(0), keepdim);
  else if (kind == "any") out = all ? t.any() : t.any(dims.at(0), keepdim);
  else if (kind == "argmax") out = all ? t.argmax() : t.argmax(dims.at(0), keepdim);
  else if (kind == "argmin") out = all ? t.argmin() : t.argmin(dims.at(0), keepdim);
  else ThrowType(info.Env(), "unknown reduction " + kind);
  return Wrap(info.Env(), out);
}

// maxDim(h, dim, keepdim, isMin) -> [values, indices]
Napi::Value MaxDim(const Napi::CallbackInfo& info) {
  const Tensor& t = Unwrap(info[0], "self");
  int64_t dim = Int(info[1], "dim");
  bool keepdim = Bool(info[2], "keepdim");
  auto result = Bool(info[3], "isMin") ? t.min(dim, keepdim) : t.max(dim, keepdim);
  return WrapList(info.Env(), {std::get<0>(result), std::get<1>(result)});
}

// sort(h, dim, descending, stable) -> [values, indices]
Napi::Value Sort(const Napi::CallbackInfo& info) {
  const Tensor& t = Unwrap(info[0], "self");
  auto result = t.sort(/*stable=*/Bool(info[3], "stable"), Int(info[1], "dim"), Bool(info[2], "descending"));
  return WrapList(info.Env(), {std::get<0>(result), std::get<1>(result)});
}

// Shape.
Napi::Value View(const Napi::CallbackInfo& info) { return Wrap(info.Env(), Unwrap(info[0], "self").view(IntList(info[1], "shape"))); }
Napi::Value Reshape(const Napi::CallbackInfo& info) { return Wrap(info.Env(), Unwrap(info[0], "self").reshape(IntList(info[1], "shape"))); }
Napi::Value Permute(const Napi::CallbackInfo& info) { return Wrap(info.Env(), Unwrap(info[0], "self").permute(IntList(info[1], "dims"))); }
Napi::Value Expand(const Napi::CallbackInfo& info) { return Wrap(info.Env(), Unwrap(info[0], "self").expand(IntList(info[1], "shape"))); }
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0], "self").transpose(Int(info[1], "dim0"), Int(info[2], "dim1")));
}
Napi::Value Squeeze(const Napi::CallbackInfo& info) {
  const Tensor& t = Unwrap(info[0], "self");
  auto dim = OptionalInt(info[1], "dim");
  return Wrap(info.Env(), dim ? t.squeeze(*dim) : t.squeeze());
}
Napi::Value Unsqueeze(const Napi::CallbackInfo& info) { return Wrap(info.Env(), Unwrap(info[0], "self").unsqueeze(Int(info[1], "dim"))); }
Napi::Value Flatten(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0], "self").flatten(Int(info[1], "startDim"), Int(info[2], "endDim")));
}
Napi::Value Cat(const Napi::CallbackInfo& info) { return Wrap(info.Env(), torch::cat(UnwrapList(info[0], "tensors"), Int(info[1], "dim"))); }
Napi::Value Stack(const Napi::CallbackInfo& info) { return Wrap(info.Env(), torch::stack(UnwrapList(info[0], "tensors"), Int(info[1], "dim"))); }
Napi::Value Narrow(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0], "self").narrow(Int(info[1], "dim"), Int(info[2], "start"), Int(info[3], "length")));
}
Napi::Value IndexSelect(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0], "self").index_select(Int(info[1], "dim"), Unwrap(info[2], "index")));
}
Napi::Value Gather(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0], "self").gather(Int(info[1], "dim"), Unwrap(info[2], "index")));
}
Napi::Value MaskedSelect(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0], "self").masked_select(Unwrap(info[1], "mask")));
}
Napi::Value MaskedFill(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0], "self").masked_fill(Unwrap(info[1], "mask"), Scalar(info[2], "value")));
}
Napi::Value Where(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), torch::where(Unwrap(info[0], "condition"), Unwrap(info[1], "self"), Unwrap(info[2], "other")));
}

// index(h, specs): specs is an array of number (select), null (":"), {start, stop, step} (slice),
// "..." (ellipsis), "newaxis", or a tensor handle (integer or boolean index).
std::vector<torch::indexing::TensorIndex> Indices(const Napi::Value& value) {
  using namespace torch::indexing;
  if (!value.IsArray()) ThrowType(value.Env(), "indices must be an array");
  auto array = value.As<Napi::Array>();
  std::vector<TensorIndex> out;
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value v = array.Get(i);
    if (v.IsNull() || v.IsUndefined()) {
      out.emplace_back(Slice());
    } else if (v.IsNumber()) {
      out.emplace_back(Int(v, "index"));
    } else if (v.IsString()) {
      std::string s = v.As<Napi::String>().Utf8Value();
      if (s == "...") out.emplace_back(Ellipsis);
      else if (s == "newaxis") out.emplace_back(None);
      else ThrowType(v.Env(), "unknown index " + s);
    } else if (v.IsBigInt()) {
      out.emplace_back(Unwrap(v, "index"));
    } else if (v.IsObject()) {
      auto o = v.As<Napi::Object>();
      // optional<int64_t> converts to the optional<SymInt> that libtorch 2.x's Slice takes.
      auto get = [&](const char* key) -> c10::optional<int64_t> {
        auto x = o.Get(key);
        if (x.IsUndefined() || x.IsNull()) return c10::nullopt;
        return Int(x, key);
      };
      out.emplace_back(Slice(get("start"), get("stop"), get("step")));
    } else {
      ThrowType(v.Env(), "unsupported index");
    }
  }
  return out;
}

// The specs are read before the receiver is resolved (lib/tensor.ts snapshots them first, too): reading
// a slice object's fields can run a getter, and a getter that disposed the receiver must find it gone.
Napi::Value Index(const Napi::CallbackInfo& info) {
  auto indices = Indices(info[1]);
  return Wrap(info.Env(), Unwrap(info[0], "self").index(indices));
}

// indexPut_(h, specs, valueTensorOrNumber): in place, returns nothing.
Napi::Value IndexPut(const Napi::CallbackInfo& info) {
  auto indices = Indices(info[1]);
  Tensor t = Unwrap(info[0], "self");
  if (IsScalar(info[2])) t.index_put_(indices, Scalar(info[2], "value"));
  else t.index_put_(indices, Unwrap(info[2], "value"));
  return info.Env().Undefined();
}

// In-place ops used by initialisation and hand-written optimisers. They return nothing.
Napi::Value InPlace(const Napi::CallbackInfo& info) {
  std::string kind = String(info[0], "kind");
  Tensor t = Unwrap(info[1], "self");
  if (kind == "uniform_") t.uniform_(Number(info[2], "from"), Number(info[3], "to"));
  else if (kind == "normal_") t.normal_(Number(info[2], "mean"), Number(info[3], "std"));
  else if (kind == "fill_") t.fill_(Scalar(info[2], "value"));
  else if (kind == "zero_") t.zero_();
  else if (kind == "copy_") t.copy_(Unwrap(info[2], "src"));
  else if (kind == "mul_") IsScalar(info[2]) ? t.mul_(Scalar(info[2], "other")) : t.mul_(Unwrap(info[2], "other"));
  else if (kind == "add_") {
    torch::Scalar alpha = info[3].IsUndefined() ? torch::Scalar(1) : Scalar(info[3], "alpha");
    IsScalar(info[2]) ? t.add_(Scalar(info[2], "other"), alpha) : t.add_(Unwrap(info[2], "other"), alpha);
  } else ThrowType(info.Env(), "unknown in-place op " + kind);
  return info.Env().Undefined();
}

}  // namespace

void InitOps(Napi::Env env, Napi::Object exports) {
  Export<Add>(env, exports, "add");
  Export<Sub>(env, exports, "sub");
  Export<Mul>(env, exports, "mul");
  Export<Div>(env, exports, "div");
  Export<Pow>(env, exports, "pow");
  Export<Remainder>(env, exports, "remainder");
  Export<Maximum>(env, exports, "maximum");
  Export<Minimum>(env, exports, "minimum");
  Export<Eq>(env, exports, "eq");
  Export<Ne>(env, exports, "ne");
  Export<Lt>(env, exports, "lt");
  Export<Le>(env, exports, "le");
  Export<Gt>(env, exports, "gt");
  Export<Ge>(env, exports, "ge");
  Export<LogicalAnd>(env, exports, "logicalAnd");
  Export<LogicalOr>(env, exports, "logicalOr");
  Export<Matmul>(env, exports, "matmul");
  Export<Neg>(env, exports, "neg");
  Export<Abs>(env, exports, "abs");
  Export<Exp>(env, exports, "exp");
  Export<Log>(env, exports, "log");
  Export<Sqrt>(env, exports, "sqrt");
  Export<Sigmoid>(env, exports, "sigmoid");
  Export<Tanh>(env, exports, "tanh");
  Export<Relu>(env, exports, "relu");
  Export<Round>(env, exports, "round");
  Export<Floor>(env, exports, "floor");
  Export<Ceil>(env, exports, "ceil");
  Export<Sign>(env, exports, "sign");
  Export<LogicalNot>(env, exports, "logicalNot");
  Export<Isnan>(env, exports, "isnan");
  Export<Reciprocal>(env, exports, "reciprocal");
  Export<T>(env, exports, "t");
  Export<Clamp>(env, exports, "clamp");
  Export<Reduce>(env, exports, "reduce");
  Export<MaxDim>(env, exports, "maxDim");
  Export<Sort>(env, exports, "sort");
  Export<View>(env, exports, "view");
  Export<Reshape>(env, exports, "reshape");
  Export<Permute>(env, exports, "permute");
  Export<Expand>(env, exports, "expand");
  Export<Transpose>(env, exports, "transpose");
  Export<Squeeze>(env, exports, "squeeze");
  Export<Unsqueeze>(env, exports, "unsqueeze");
  Export<Flatten>(env, exports, "flatten");
  Export<Cat>(env, exports, "cat");
  Export<Stack>(env, exports, "stack");
  Export<Narrow>(env, exports, "narrow");
  Export<IndexSelect>(env, exports, "indexSelect");
  Export<Gather>(env, exports, "gather");
  Export<MaskedSelect>(env, exports, "maskedSelect");
  Export<MaskedFill>(env, exports, "maskedFill");
  Export<Where>(env, exports, "where");
  Export<Index>(env, exports, "index");
  Export<IndexPut>(env, exports, "indexPut_");
  Export<InPlace>(env, exports, "inPlace");
}

}  // namespace ts
