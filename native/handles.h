// Tensor handles: how JS names the native tensors it owns.
//
// A JS tensor handle is a BigInt that encodes a (tag, generation, slot) triple into the environment's
// slot table; nothing is ever dereferenced through it, so a stale, foreign or forged handle is refused
// by a table check, never a crash. Not a napi External: in Node 20 every napi_create_external makes a
// weak reference (a global handle and a small malloc'd record that outlives the tensor until the
// collector runs), which costs time on every op and fragments the heap when each handle has a
// finalizer. A BigInt is a plain young-generation value, and its type tells a tensor argument from a
// number one. The safety net for tensors dropped without dispose() is a FinalizationRegistry in
// lib/tensor.ts that calls dispose with the handle.
#pragma once

#include <napi.h>
#include <torch/torch.h>

#include <cstdint>
#include <deque>
#include <vector>

namespace ts {

// A native tensor that JS holds, in its environment's slot table.
struct TensorSlot {
  torch::Tensor tensor;
  uint32_t index = 0;       // its position in HandleTable::slots
  uint32_t generation = 0;  // bumped when the slot is freed, so stale handles to it are refused
  bool live = false;
};

// One environment's table (in its AddonData, addon.h).
struct HandleTable {
  // A deque, not a vector: growing it must not move existing slots, which Slot() hands out pointers to.
  std::deque<TensorSlot> slots;
  std::vector<uint32_t> freeSlots;

  // Native tensors JS still holds: every slot but the free ones.
  size_t Live() const { return slots.size() - freeSlots.size(); }
};

TensorSlot* Slot(const Napi::Value& value, const char* what);  // nullptr when stale (disposed)
Napi::Value Wrap(Napi::Env env, torch::Tensor tensor);
// A reference of its own to the handle's tensor (a refcount, not a copy of the data), not a reference
// into the slot: reading a later argument can run JS (a getter, a valueOf) that disposes this tensor
// and lets a new one take the slot, and the op must still see the tensor it was given.
torch::Tensor Unwrap(const Napi::Value& value, const char* what);
torch::Tensor OptionalTensor(const Napi::Value& value, const char* what);  // undefined/null -> undefined tensor
// Frees a handle's tensor; false when it was already disposed (stale).
bool DisposeHandle(const Napi::Value& value);
std::vector<torch::Tensor> UnwrapList(const Napi::Value& value, const char* what);
Napi::Array WrapList(Napi::Env env, const std::vector<torch::Tensor>& tensors);

}  // namespace ts
