#!/usr/bin/env bash
# The GPU checks in one call (see ../shared/GPU.md): build against the CUDA libtorch of python3's torch,
# run the tensor/memory/error/CUDA tests and the parity suite on cuda, the tutorial on cuda, and
# bench/epoch (all four models) on cuda beside that machine's PyTorch, and bench/series for the LSTM
# (5 epochs and the test split on both sides). Prepare with scripts/gpu-kit.sh --imdb here;
# logs go to $OUT. Every step runs even if an earlier one failed; the summary says which passed.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT" /tmp/n /tmp/gpu-deps
xz -dc .gpu/node.xz > /tmp/n/node && chmod +x /tmp/n/node && export PATH=/tmp/n:$PATH
tar -xJf .gpu/deps.tar.xz -C /tmp/gpu-deps && ln -sfn /tmp/gpu-deps/node_modules node_modules
export LIBTORCH_USE_PYTORCH=1 PYTHON=${PYTHON:-python3} TORCH_SENTIMENT_PYTHON=${PYTHON:-python3}
B=.gpu/build
# Jest itself, on the compiled tests (no TypeScript there), one file at a time on the one GPU.
jest() {
  node --expose-gc node_modules/jest/bin/jest.js --runInBand --ci --config "{\"rootDir\": \"$PWD/$B\", \"testEnvironment\": \"node\",
    \"testMatch\": [\"**/*.test.js\"], \"transform\": {}, \"testTimeout\": 600000,
    \"globalSetup\": \"<rootDir>/test/helpers/global-setup.js\"}" "$@"
}
ln -sfn "$PWD/test/fixtures" $B/test/fixtures
summary=()
step() {
  local name=$1; shift
  local t0=$(date +%s)
  "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  summary+=("$(printf '%-14s rc=%-3s %4ss  %s' "$name" "$rc" "$(( $(date +%s) - t0 ))" "$(tail -n 1 "$OUT/$name.log" | cut -c1-110)")")
  return $rc
}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$OUT/gpu.txt" 2>&1
step build node node_modules/cmake-js/bin/cmake-js compile -O build || step build-safe node node_modules/cmake-js/bin/cmake-js compile -O build --CDTS_SAFE_BUILD=ON
export TORCH_SENTIMENT_BINARY=$PWD/build/Release/torch_sentiment.node
step loader node -e "const t=require('./$B/lib'); console.log('libtorch', t.addonInfo.libtorchVersion, t.addonInfo.variant, 'cuda', t.cuda.isAvailable(), t.cuda.deviceCount())"
export TORCH_SENTIMENT_TEST_DEVICE=cuda
step tensor-cuda jest $B/test/tensor/
step parity-cuda-vs-cpu jest $B/test/nn/parity.test.js
step fixtures-cuda env PARITY_DEVICE=cuda $PYTHON test/nn/parity/make_fixtures.py /tmp/fixtures-cuda
PARITY_FIXTURES=/tmp/fixtures-cuda step parity-cuda jest $B/test/nn/parity.test.js
unset TORCH_SENTIMENT_TEST_DEVICE
if [ -f .gpu/aclImdb-labelled.tar.gz ]; then
  step tutorial-cuda node $B/examples/seed-rnn.js --data .gpu/aclImdb-labelled.tar.gz --device cuda --out "$OUT/run"
  # One epoch per model beside PyTorch (the LSTM's first 100 batches: the budget), then our host profile.
  # Without a GPU (a dry run), the same steps on the CPU for two batches each.
  if nvidia-smi -L > /dev/null 2>&1; then epoch=(--device cuda); lstm=100; else epoch=(--device cpu --limit-batches 2); lstm=2; fi
  step epoch node $B/bench/epoch.js --data .gpu/aclImdb-labelled.tar.gz "${epoch[@]}" --model rnn,fasttext,cnn
  step epoch-lstm node $B/bench/epoch.js --data .gpu/aclImdb-labelled.tar.gz "${epoch[@]}" --model lstm --limit-batches $lstm
  step epoch-profile node $B/bench/epoch.js --data .gpu/aclImdb-labelled.tar.gz "${epoch[@]}" --model rnn,fasttext --profile
  # The LSTM trained to the end on both sides, as the CLI trains it (PyTorch's packed LSTM takes an hour
  # an epoch on one CPU core, so its test accuracy beside ours needs the GPU); without a GPU, one epoch
  # of FastText.
  if nvidia-smi -L > /dev/null 2>&1; then series=(--device cuda --model lstm); else series=(--device cpu --model fasttext --epochs 1); fi
  step series node $B/bench/series.js --data .gpu/aclImdb-labelled.tar.gz "${series[@]}"
fi
echo "== summary ($(cat "$OUT/gpu.txt"))"
printf '%s\n' "${summary[@]}"
for f in tensor-cuda parity-cuda-vs-cpu parity-cuda; do grep -E "^Tests: " "$OUT/$f.log" | sed "s/^/$f: /"; done
grep -hE "^ +parity: " "$OUT/parity-cuda-vs-cpu.log" "$OUT/parity-cuda.log"
grep -E "✕|FAIL" "$OUT/parity-cuda-vs-cpu.log" "$OUT/parity-cuda.log" | cut -c1-160 | head -20
tail -n 15 "$OUT/tutorial-cuda.log" 2>/dev/null
grep -E "^\|" "$OUT/epoch.log" 2>/dev/null; tail -n 1 "$OUT/epoch.log" 2>/dev/null
grep -E "^\| lstm" "$OUT/epoch-lstm.log" 2>/dev/null
grep -E "^\|" "$OUT/epoch-profile.log" 2>/dev/null
grep -E "^(\||[a-z]+, )" "$OUT/series.log" 2>/dev/null
