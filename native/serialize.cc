// Serialization: state dicts as Python-readable pickles (torch.save / torch.load compatible).
// Bytes cross the boundary; lib/serialize.ts does the file I/O (atomic writes, clear errors).
#include "addon.h"
#include "convert.h"

#include <torch/serialize.h>

namespace ts {
namespace {

// pickleSave(names[], tensors[]) -> Buffer holding a dict {name: tensor} that torch.load reads.
Napi::Value PickleSave(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) ThrowType(env, "names must be an array of strings");
  auto names = info[0].As<Napi::Array>();
  auto tensors = UnwrapList(info[1], "tensors");
  if (names.Length() != tensors.size()) ThrowType(env, "names and tensors differ in length");
  c10::Dict<std::string, torch::Tensor> dict;
  for (uint32_t i = 0; i < names.Length(); i++) {
    // Saved tensors are detached CPU copies, as PyTorch's state_dict holds them.
    dict.insert(String(names.Get(i), "name"), tensors[i].detach().to(torch::kCPU));
  }
  std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  return Napi::Buffer<char>::Copy(env, bytes.data(), bytes.size());
}

// pickleLoad(buffer) -> {names: string[], tensors: handle[]}
Napi::Value PickleLoad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsBuffer()) ThrowType(env, "data must be a Buffer");
  auto buffer = info[0].As<Napi::Buffer<char>>();
  std::vector<char> bytes(buffer.Data(), buffer.Data() + buffer.Length());
  c10::IValue value = torch::pickle_load(bytes);
  if (!value.isGenericDict()) ThrowTorch(env, "the file does not hold a dict of tensors");
  auto dict = value.toGenericDict();
  auto names = Napi::Array::New(env);
  auto tensors = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& entry : dict) {
    if (!entry.key().isString()) ThrowTorch(env, "the dict has a key that is not a string");
    if (!entry.value().isTensor()) {
      ThrowTorch(env, "the value of key '" + entry.key().toStringRef() + "' is not a tensor");
    }
    names.Set(i, Napi::String::New(env, entry.key().toStringRef()));
    tensors.Set(i, Wrap(env, entry.value().toTensor()));
    i++;
  }
  auto out = Napi::Object::New(env);
  out.Set("names", names);
  out.Set("tensors", tensors);
  return out;
}

}  // namespace

void InitSerialize(Napi::Env env, Napi::Object exports) {
  Export<PickleSave>(env, exports, "pickleSave");
  Export<PickleLoad>(env, exports, "pickleLoad");
}

}  // namespace ts
