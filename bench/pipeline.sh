#!/usr/bin/env bash
# The text pipeline's benchmark and checks, run from the TypeScript sources (scripts/register-ts.js).
#   bench/pipeline.sh                 # the benchmark: public API vs torchtext-style Python, see bench/README.md
#   bench/pipeline.sh verify          # basic_english vs torchtext on all 50,000 reviews
#   bench/pipeline.sh imdb --tensors  # the tutorial's data figures through the public API
set -euo pipefail
cd "$(dirname "$0")/.."
what=bench
case "${1:-}" in bench|verify|imdb) what="$1"; shift ;; esac
case "$what" in
  bench) exec node -r ./scripts/register-ts.js bench/pipeline.ts "$@" ;;
  verify) exec node -r ./scripts/register-ts.js bench/basic-english-verify.ts "$@" ;;
  imdb) exec node -r ./scripts/register-ts.js bench/pipeline-imdb.ts "$@" ;;
  *) echo "usage: bench/pipeline.sh [bench|verify|imdb] [args]" >&2; exit 2 ;;
esac
