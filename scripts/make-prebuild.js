'use strict';
// `npm run make-prebuild`: builds the addon against the libtorch found (lib/libtorch.js) and places it
// where the install script and the loader look for it:
//   prebuilds/<platform>-<arch>/torch_sentiment.libtorch-<major.minor>-<cpu|cuda>.node
// Each libtorch version and variant gets its own file, so a CUDA prebuild made on a GPU machine
// (e.g. LIBTORCH_USE_PYTORCH=1 against PyTorch 2.11+cu130 -> libtorch-2.11-cuda) sits beside the CPU
// one made here (Debian's libtorch 1.13 -> libtorch-1.13-cpu): copy it into the same folder before `npm pack`.
//
// It builds with cmake-js (the build of record, N-API 8 headers from node-api-headers: no download).
// When build/ (cmake-js's default folder, what `npm ci` in a clone builds) is configured for this same
// libtorch it is brought up to date and used, so CI does not compile everything twice; otherwise the
// build goes to build/prebuild/<tag>/ and leaves build/ alone. Then the binary is stripped and
// checked: it must load and report the libtorch it was built for.
// prebuildify is not used: it names binaries by Node ABI only (no libtorch tag) and runs
// `node-gyp rebuild`, which deletes build/ and downloads Node headers unless told otherwise.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { findLibtorch } = require('../lib/libtorch.js');
const { NAME, prebuildDir, tagFor } = require('../lib/prebuilds.js');

const root = path.resolve(__dirname, '..');

function fail(message) {
  console.error(`prebuild: ${message}`);
  process.exit(1);
}

function main() {
  const libtorch = findLibtorch();
  if (!libtorch.ok) fail(`libtorch not found (${libtorch.source}: ${libtorch.reason}); run \`node lib/libtorch.js\` for the fixes.`);
  const tag = tagFor(libtorch);
  const out = sameLibtorch('build', libtorch) ? 'build' : path.join('build', 'prebuild', tag);
  console.log(`prebuild: libtorch ${libtorch.version} (${libtorch.variant}) from ${libtorch.source} at ${libtorch.root} -> ${tag}, building in ${out}/`);

  let cmakeJs;
  try {
    cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
  } catch {
    fail('cmake-js is not installed; run `npm ci` in the repository first.');
  }
  const started = Date.now();
  // An empty npm_config_nodedir keeps cmake-js on node-api-headers even if a nodedir is configured.
  const env = { ...process.env, npm_config_nodedir: '' };
  const r = spawnSync(process.execPath, [cmakeJs, 'compile', '--out', out], { cwd: root, stdio: 'inherit', env });
  if (r.error) fail(r.error.message);
  if (r.status !== 0) fail(`cmake-js exited with ${r.status}`);

  const built = path.join(root, out, 'Release', `${NAME}.node`);
  if (!fs.existsSync(built)) fail(`the build produced no ${path.relative(root, built)}`);
  const dir = prebuildDir(root);
  fs.mkdirSync(dir, { recursive: true });
  const dest = path.join(dir, `${NAME}.${tag}.node`);
  fs.copyFileSync(built, dest);
  // Symbols for debugging are not worth shipping; the addon links libtorch dynamically either way.
  const strip = spawnSync('strip', ['--strip-unneeded', dest], { stdio: 'inherit' });
  if (strip.error || strip.status !== 0) console.warn('prebuild: strip not available or failed; shipping the unstripped binary');

  check(dest, libtorch);
  const kb = Math.round(fs.statSync(dest).size / 1024);
  console.log(`prebuild: ${path.relative(root, dest)} (${kb} kB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// True when the CMake build in `dir` found this libtorch (its cached Torch_DIR is this one's).
function sameLibtorch(dir, libtorch) {
  if (!libtorch.cmakePrefix) return false;
  let cache;
  try {
    cache = fs.readFileSync(path.join(root, dir, 'CMakeCache.txt'), 'utf8');
  } catch {
    return false;
  }
  const m = /^Torch_DIR:PATH=(.*)$/m.exec(cache);
  const release = /^CMAKE_BUILD_TYPE:STRING=Release$/m.test(cache);
  return release && m !== null && path.resolve(m[1]) === path.resolve(libtorch.cmakePrefix, 'Torch');
}

// Loads the binary the way lib/native.ts does (libtorch outside the loader's path preloaded with
// RTLD_GLOBAL, symbols resolved now) and checks the libtorch version it was compiled against.
function check(file, libtorch) {
  const { RTLD_NOW, RTLD_GLOBAL } = os.constants.dlopen;
  if (!libtorch.system) {
    for (const lib of libtorch.preload) {
      try {
        process.dlopen({ exports: {} }, lib, RTLD_NOW | RTLD_GLOBAL);
      } catch (e) {
        if (!/self-register|did not self/i.test(String(e.message))) throw e;
      }
    }
  }
  const m = { exports: {} };
  process.dlopen(m, file, RTLD_NOW);
  const info = m.exports.buildInfo();
  const abi = info.libtorch.split('.').slice(0, 2).join('.');
  if (abi !== libtorch.abi) fail(`${file} reports libtorch ${info.libtorch}, expected ${libtorch.abi}`);
  console.log(`prebuild: loads, built for libtorch ${info.libtorch}, CUDA available: ${info.cudaAvailable}`);
}

main();
