#!/usr/bin/env bash
# Prepares .gpu/ (git-ignored) for scripts/gpu-check.sh on the GPU machine, which has no Node, no npm
# and takes 64 MiB of files: Node itself, the build tools the addon needs, the compiled TypeScript
# (tests, benches, examples) and, with --imdb, the IMDb archive. See ../shared/GPU.md.
set -euo pipefail
cd "$(dirname "$0")/.."
imdb=${IMDB_ARCHIVE:-../shared/data/aclImdb-labelled.tar.gz}
rm -rf .gpu/build .gpu/deps
mkdir -p .gpu
[ -f .gpu/node.xz ] || xz -T2 -c "$(command -v node)" > .gpu/node.xz
npx tsc -p tsconfig.gpu.json || true   # emits even with type errors in tests; `npm run lint:types` is the check
cp -r scripts package.json .gpu/build/
cp bench/*.py .gpu/build/bench/
# cmake-js and node-addon-api with their dependencies only, not the dev toolchain.
mkdir -p .gpu/deps
(cd .gpu/deps && echo '{"private":true}' > package.json && npm install --no-audit --no-fund --no-package-lock --ignore-scripts \
  "cmake-js@$(node -p "require('../../node_modules/cmake-js/package.json').version")" \
  "node-addon-api@$(node -p "require('../../node_modules/node-addon-api/package.json').version")" >/dev/null)
if [ "${1:-}" = "--imdb" ]; then cp "$imdb" .gpu/aclImdb-labelled.tar.gz; fi
du -sh .gpu .gpu/* | sort -h
