#!/usr/bin/env bash
# The distribution test (issue 6), run by .ci/run after scripts/setup.sh (libtorch-dev, cmake, g++,
# `npm ci`, `npm run build:ts`). Also `npm run test:package`.
#   1. npm run make-prebuild, npm pack; check what the tarball holds.
#   2. In an empty project, `npm install <tarball>` with no C++ compiler, make or cmake on PATH and
#      npm offline (dependencies come from the npm cache, warmed first): the prebuild must be used,
#      nothing compiled or downloaded. Timed. Then a fresh Node process trains and predicts.
#   3. The same tarball with --build-from-source (compiler allowed, still offline): node-gyp builds it
#      against this Node's headers; the same check runs on that build.
#   4. LIBTORCH pointed at an empty folder: require() throws LoadError naming the libtorch it looked
#      for, the prebuilds it has and the fixes, and the process exits with 1, not a signal.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/torch-sentiment-package.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
say() { echo "== test-package: $*"; }
die() { echo "test-package: FAILED: $*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
started=$(now)

say "make-prebuild"
npm run --silent make-prebuild
TAG=$(node lib/libtorch.js --tag)
PREBUILD="prebuilds/$(node -p 'process.platform + "-" + process.arch')/torch_sentiment.$TAG.node"
[ -f "$PREBUILD" ] || die "npm run make-prebuild made no $PREBUILD"

say "npm pack"
npm pack --silent --pack-destination "$WORK" >/dev/null
TARBALL=$(ls "$WORK"/torch-sentiment-*.tgz)
TAR_KB=$(( ($(stat -c %s "$TARBALL") + 512) / 1024 ))
tar tzf "$TARBALL" | sed 's#^package/##' | sort > "$WORK/contents"
for f in "$PREBUILD" dist/index.js dist/index.d.ts dist/native.js dist/libtorch.js dist/prebuilds.js native/sources.json \
  native/addon.cc binding.gyp CMakeLists.txt scripts/install.js lib/libtorch.js lib/prebuilds.js LICENSE package.json; do
  grep -qxF "$f" "$WORK/contents" || die "the tarball lacks $f"
done
for f in README.md CHANGELOG.md docs/install.md; do
  [ ! -f "$f" ] || grep -qxF "$f" "$WORK/contents" || die "the tarball lacks $f"
done
# Of lib/, only the two files that scripts/install.js, binding.gyp and CMakeLists.txt run at install time.
if grep -E '^(test|bench|examples|build|lib|coverage|node_modules|\.ci)/|\.map$|^scripts/(test-package\.sh|package-check\.js|make-prebuild\.js|setup\.sh)$' "$WORK/contents" \
  | grep -vxE 'lib/(libtorch|prebuilds)\.js'; then
  die "the tarball holds the files listed above, which it should not"
fi
say "tarball $(basename "$TARBALL"): ${TAR_KB} kB, $(wc -l < "$WORK/contents") files"

# Dependencies (node-addon-api, node-gyp-build, tar) into the npm cache, so the timed installs below
# run with --offline: any download, by npm or by our install script, would fail them.
say "warming the npm cache with the dependencies (not timed)"
mkdir -p "$WORK/warm" && echo '{"name":"warm","private":true}' > "$WORK/warm/package.json"
(cd "$WORK/warm" && npm install "$TARBALL" --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)

# A PATH with node, npm and a shell only.
NOBIN="$WORK/bin" && mkdir -p "$NOBIN"
for tool in node npm sh env; do ln -s "$(command -v "$tool")" "$NOBIN/$tool"; done
for tool in g++ gcc cc c++ clang cmake make ninja python3 curl wget; do
  if PATH="$NOBIN" command -v "$tool" >/dev/null 2>&1; then die "$tool is reachable on the no-compiler PATH"; fi
done
cp scripts/package-check.js "$WORK/"

say "npm install <tarball>: no compiler, no cmake, offline"
APP="$WORK/app" && mkdir -p "$APP" && echo '{"name":"app","private":true}' > "$APP/package.json"
t0=$(now)
(cd "$APP" && PATH="$NOBIN" npm install "$TARBALL" --offline --no-audit --no-fund --foreground-scripts 2>&1) | tee "$WORK/install.log"
INSTALL_S=$(secs "$t0" "$(now)")
grep -q "torch-sentiment: using prebuilt" "$WORK/install.log" || die "the install did not use the prebuild"
[ ! -e "$APP/node_modules/torch-sentiment/build" ] || die "the install compiled something (build/ exists)"
(cd "$APP" && PATH="$NOBIN" node "$WORK/package-check.js" prebuild) | tee "$WORK/check-prebuild.log"

say "npm install <tarball> --build-from-source (compiler allowed, offline; --nodedir= so the script finds the headers itself)"
SRC="$WORK/src" && mkdir -p "$SRC" && echo '{"name":"src","private":true}' > "$SRC/package.json"
t0=$(now)
(cd "$SRC" && npm install "$TARBALL" --build-from-source --nodedir= --offline --no-audit --no-fund --foreground-scripts 2>&1) | tee "$WORK/source.log"
SOURCE_S=$(secs "$t0" "$(now)")
grep -q "torch-sentiment: building from source as asked" "$WORK/source.log" || die "--build-from-source did not build"
grep -q "torch-sentiment: Node headers from .*nothing to download" "$WORK/source.log" || die "node-gyp was not pointed at local Node headers"
if grep -E "gyp http|node-gyp/.*\.tar\.gz|Downloading" "$WORK/source.log"; then die "node-gyp downloaded something"; fi
[ -f "$SRC/node_modules/torch-sentiment/build/Release/torch_sentiment.node" ] || die "no build/Release/torch_sentiment.node"
(cd "$SRC" && node "$WORK/package-check.js" source) | tee "$WORK/check-source.log"

say "require() with libtorch absent (LIBTORCH=<empty folder>)"
mkdir -p "$WORK/empty"
set +e
(cd "$APP" && LIBTORCH="$WORK/empty" node -e "require('torch-sentiment')") > "$WORK/nolib.out" 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || die "expected exit status 1 (an uncaught LoadError), got $rc"
ERROR_TEXT=$(sed -n '/^LoadError: /,/^ *at /p' "$WORK/nolib.out" | sed '$d')
for want in "LoadError: torch-sentiment could not load its native addon." \
  "libtorch was not found (LIBTORCH: $WORK/empty/lib does not exist)." \
  "Prebuilt binaries: torch_sentiment.$TAG.node" \
  "apt-get install libtorch1.13 libopenblas0-pthread" \
  "LIBTORCH=/path/to/libtorch" \
  "LIBTORCH_USE_PYTORCH=1" \
  "npm rebuild torch-sentiment --build-from-source"; do
  grep -qF -- "$want" <<< "$ERROR_TEXT" || { cat "$WORK/nolib.out"; die "the error lacks: $want"; }
done

echo
echo "== test-package summary"
echo "tarball:                 $(basename "$TARBALL"), ${TAR_KB} kB"
echo "install (prebuild):      ${INSTALL_S} s  (npm install of the tarball, offline, deps from cache, no compiler on PATH)"
echo "install (from source):   ${SOURCE_S} s  (node-gyp, --build-from-source)"
echo "check (prebuild):        $(tail -1 "$WORK/check-prebuild.log" | sed "s/^package-check (prebuild): //")"
echo "check (from source):     $(tail -1 "$WORK/check-source.log" | sed "s/^package-check (source): //")"
echo "without libtorch, require('torch-sentiment') exits $rc with:"
sed 's/^/    /' <<< "${ERROR_TEXT//$WORK/\$TMP}"
echo "test-package: OK in $(secs "$started" "$(now)") s"
