#!/usr/bin/env bash
# Prepares .gpu/ (git-ignored) for scripts/gpu-check.sh on the GPU machine, which has no Node, no npm
# and takes 64 MiB of files: Node itself, the compiled TypeScript (tests, benches, examples), the
# packages the build and the tests need (cmake-js, node-addon-api, Jest: docs/gpu.md), compressed, and,
# with --imdb, the IMDb archive. See ../shared/GPU.md. Carry .gpu with the run.
set -euo pipefail
cd "$(dirname "$0")/.."
imdb=${IMDB_ARCHIVE:-../shared/data/aclImdb-labelled.tar.gz}
rm -rf .gpu/build .gpu/deps .gpu/deps.tar.xz
mkdir -p .gpu
[ -f .gpu/node.xz ] || xz -T2 -c "$(command -v node)" > .gpu/node.xz
npx tsc -p tsconfig.gpu.json || true   # emits even with type errors in tests; `npm run lint:types` is the check
cp -r scripts package.json .gpu/build/
cp bench/*.py .gpu/build/bench/
# The packages at this checkout's versions with their dependencies only (not the dev toolchain: the
# tests travel compiled, so Jest needs no ts-jest or TypeScript), installed apart and packed with xz:
# unpacked they are ten times larger than the room left beside Node and IMDb.
version() { node -p "require('./node_modules/$1/package.json').version"; }
deps=$(mktemp -d)
trap 'rm -rf "$deps"' EXIT
echo '{"private":true}' > "$deps/package.json"
(cd "$deps" && npm install --no-audit --no-fund --no-package-lock --ignore-scripts \
  "cmake-js@$(cd "$OLDPWD" && version cmake-js)" "node-addon-api@$(cd "$OLDPWD" && version node-addon-api)" \
  "jest@$(cd "$OLDPWD" && version jest)" >/dev/null)
tar -C "$deps" -cf - node_modules | xz -T2 -6 > .gpu/deps.tar.xz
if [ "${1:-}" = "--imdb" ]; then cp "$imdb" .gpu/aclImdb-labelled.tar.gz; fi
du -sh .gpu/*
# what travels: the tracked and untracked-not-ignored files, plus .gpu (64 MiB in all)
tree=$( { git ls-files -z --cached --others --exclude-standard | xargs -0 stat -L -c %s 2>/dev/null || true; } | awk '{s+=$1} END {print s}')
kit=$(du -sb .gpu | cut -f1)
echo "travels: $(( (tree + kit) / 1048576 )) MiB of 64 (working tree $(( tree / 1048576 )) MiB, .gpu $(( kit / 1048576 )) MiB)"
