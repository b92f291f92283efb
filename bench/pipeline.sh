#!/usr/bin/env bash
# Builds bench/pipeline.ts and the pipeline scripts into bench/out (gitignored)
# and runs one of them. bench/out mirrors the package root for lib/native.ts
# (it looks for scripts/ and build/ next to lib/), hence the links.
#   bench/pipeline.sh                 # the benchmark (node vs python), see bench/README.md
#   bench/pipeline.sh verify          # basic_english vs torchtext on all 50,000 reviews
#   bench/pipeline.sh imdb --tensors  # the tutorial's data figures through the public API
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p bench/pipeline.tsconfig.json
mkdir -p bench/out/scripts
for f in libtorch.js prebuilds.js; do ln -sfn "../../../scripts/$f" "bench/out/scripts/$f"; done
for d in build prebuilds; do ln -sfn "../../$d" "bench/out/$d"; done
what="${1:-bench}"
[ $# -gt 0 ] && shift
case "$what" in
  bench) exec node bench/out/bench/pipeline.js "$@" ;;
  verify) exec node bench/out/scripts/basic-english-verify.js "$@" ;;
  imdb) exec node bench/out/scripts/pipeline-imdb.js "$@" ;;
  *) echo "usage: bench/pipeline.sh [bench|verify|imdb] [args]" >&2; exit 2 ;;
esac
