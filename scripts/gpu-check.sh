#!/usr/bin/env bash
# The GPU checks in one call (see ../shared/GPU.md): build against the CUDA libtorch of python3's torch,
# run the tensor/memory/error/CUDA tests and the parity suite on cuda, the tutorial on cuda, and
# bench/seed-epoch on cuda beside that machine's PyTorch. Prepare with scripts/gpu-kit.sh --imdb here;
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
  step lstm-cuda node $B/lib/cli/main.js train --model lstm --epochs 1 --data .gpu/aclImdb-labelled.tar.gz --device cuda --out "$OUT/lstm" --no-progress
  step seed-epoch node $B/bench/seed-epoch.js --data .gpu/aclImdb-labelled.tar.gz --device cuda --settings default
  step epoch-profile env TS_LIB_DIR=$B/lib node bench/epoch-profile.js cuda .gpu/aclImdb-labelled.tar.gz
fi
echo "== summary ($(cat "$OUT/gpu.txt"))"
printf '%s\n' "${summary[@]}"
for f in tensor-cuda parity-cuda-vs-cpu parity-cuda; do grep -E "^Tests: " "$OUT/$f.log" | sed "s/^/$f: /"; done
grep -hE "^ +parity: " "$OUT/parity-cuda-vs-cpu.log" "$OUT/parity-cuda.log"
grep -E "✕|FAIL" "$OUT/parity-cuda-vs-cpu.log" "$OUT/parity-cuda.log" | cut -c1-160 | head -20
tail -n 15 "$OUT/tutorial-cuda.log" 2>/dev/null
grep -E "^(epoch|test|model)" "$OUT/lstm-cuda.log" 2>/dev/null
cat "$OUT/seed-epoch.log" 2>/dev/null | tail -n 6
cat "$OUT/epoch-profile.log" 2>/dev/null | tail -n 3
