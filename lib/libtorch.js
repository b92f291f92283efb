// @ts-check
'use strict';
// libtorch discovery: the one place that says where libtorch is. Used by CMakeLists.txt (through
// `node lib/libtorch.js --cmake-prefix`), by binding.gyp (`--include`, `--lib-dir`, `--libs`), by
// scripts/install.js and at run time by lib/native.ts. Plain CommonJS, typed with JSDoc, so it runs at
// `npm install` time before TypeScript is built; the TypeScript build copies it into dist/ beside the
// loader, and the package ships this copy for the install-time tools.
//
// Order (first that applies wins):
//   1. LIBTORCH=/path/to/libtorch   a libtorch folder as in the official zip (include/, lib/, share/cmake/Torch)
//   2. LIBTORCH_USE_PYTORCH=1       the libtorch inside python's `torch` package ($PYTHON or python3)
//   3. the system libtorch          Debian's libtorch-dev (/usr/include/torch, /usr/lib/<triplet>)
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

/** @typedef {'LIBTORCH' | 'pytorch' | 'system'} LibtorchSource */
/**
 * A libtorch that was found.
 * @typedef {object} LibtorchFound
 * @property {true} ok
 * @property {LibtorchSource} source
 * @property {string} root
 * @property {string} version e.g. "1.13.1"
 * @property {boolean} headers false when only the runtime libraries are there: prebuilds run, building from source cannot
 * @property {string} abi major.minor, what a binary built against this libtorch needs at run time
 * @property {'cpu' | 'cuda'} variant
 * @property {string[]} includeDirs
 * @property {string} libDir
 * @property {string | null} cmakePrefix
 * @property {string[]} preload the libraries to preload (in dependency order) when they are not on the loader's default path
 * @property {string[]} libs
 * @property {boolean} system
 * @property {number} cxx11Abi
 */
/**
 * No libtorch: where discovery looked and what was missing.
 * @typedef {{ ok: false, source: LibtorchSource, root: string, reason: string }} LibtorchMissing
 */
/** @typedef {LibtorchFound | LibtorchMissing} LibtorchInfo */

const SYSTEM_LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/local/lib', '/usr/lib64', '/usr/lib'];
const SYSTEM_INCLUDE_DIRS = ['/usr/include', '/usr/local/include'];

// libtorch 1.x/2.x define the version in torch/csrc/api/include/torch/version.h; 2.9+ moved the
// macros to torch/headeronly/version.h (the old file only includes it).
const VERSION_HEADERS = [
  ['torch', 'csrc', 'api', 'include', 'torch', 'version.h'],
  ['torch', 'headeronly', 'version.h'],
];

/** @param {string} includeDir @returns {string | null} */
function readVersion(includeDir) {
  for (const parts of VERSION_HEADERS) {
    const version = readVersionFile(path.join(includeDir, ...parts));
    if (version) return version;
  }
  return null;
}

/** @param {string} file @returns {string | null} */
function readVersionFile(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const part = (/** @type {string} */ name) => {
    const m = new RegExp(`#define\\s+TORCH_VERSION_${name}\\s+(\\d+)`).exec(text);
    return m ? Number(m[1]) : null;
  };
  const major = part('MAJOR');
  const minor = part('MINOR');
  const patch = part('PATCH');
  if (major === null || minor === null) return null;
  return `${major}.${minor}.${patch ?? 0}`;
}

// TorchConfig.cmake records whether libtorch was built with the C++11 std::string ABI; node-gyp builds
// must match it (CMake builds get it from find_package(Torch)).
/** @param {string | null} cmakePrefix @returns {number} */
function readCxx11Abi(cmakePrefix) {
  if (!cmakePrefix) return 1;
  try {
    const text = fs.readFileSync(path.join(cmakePrefix, 'Torch', 'TorchConfig.cmake'), 'utf8');
    const m = /_GLIBCXX_USE_CXX11_ABI=(\d)/.exec(text);
    return m ? Number(m[1]) : 1;
  } catch {
    return 1;
  }
}

// A runtime-only install (Debian's libtorch1.13 without libtorch-dev) has no headers, only versioned
// libraries: libtorch.so.1.13 -> libtorch.so.1.13.1. Enough to run a prebuild, not to build one.
/** @param {string[]} files @returns {string | null} */
function versionFromLibs(files) {
  let best = null;
  for (const f of files) {
    const m = /^libtorch\.so\.(\d+)\.(\d+)(?:\.(\d+))?$/.exec(f);
    if (m && (!best || m[3] !== undefined)) best = `${m[1]}.${m[2]}.${m[3] ?? 0}`;
  }
  return best;
}

/**
 * @param {LibtorchInfo['source']} source @param {string} root @param {string} includeDir @param {string} libDir
 * @param {string | null} cmakePrefix @returns {LibtorchInfo}
 */
function describe(source, root, includeDir, libDir, cmakePrefix) {
  const files = fs.readdirSync(libDir);
  // `name` itself, else a versioned `name.N...` (runtime-only installs have no unversioned symlink).
  const lib = (/** @type {string} */ name) => (files.includes(name) ? name : files.filter((f) => f.startsWith(name + '.')).sort()[0] || null);
  if (!lib('libtorch.so')) {
    return { ok: false, source, root, reason: `no libtorch.so in ${libDir}` };
  }
  const headerVersion = readVersion(includeDir);
  const version = headerVersion || versionFromLibs(files);
  if (!version) return { ok: false, source, root, reason: `no torch/version.h under ${includeDir}` };
  const cuda = lib('libtorch_cuda.so') !== null;
  const includeDirs = [includeDir, path.join(includeDir, 'torch', 'csrc', 'api', 'include')];
  // The libraries to preload (in dependency order) when they are not on the loader's default path.
  const preload = ['libc10.so', cuda ? 'libc10_cuda.so' : null, 'libtorch_cpu.so', cuda ? 'libtorch_cuda.so' : null, 'libtorch.so'].flatMap((name) => {
    const file = name && lib(name);
    return file ? [path.join(libDir, file)] : [];
  });
  return {
    ok: true,
    source,
    root,
    version,
    headers: headerVersion !== null,
    abi: version.split('.').slice(0, 2).join('.'),
    variant: cuda ? 'cuda' : 'cpu',
    includeDirs,
    libDir,
    cmakePrefix,
    preload,
    libs: ['c10', 'torch_cpu', 'torch'].concat(cuda ? ['c10_cuda', 'torch_cuda'] : []),
    system: source === 'system',
    cxx11Abi: readCxx11Abi(cmakePrefix),
  };
}

/** @param {LibtorchInfo['source']} source @param {string} root @returns {LibtorchInfo} */
function fromFolder(source, root) {
  if (!fs.existsSync(root)) return { ok: false, source, root, reason: `${root} does not exist` };
  const libDir = path.join(root, 'lib');
  if (!fs.existsSync(libDir)) return { ok: false, source, root, reason: `${libDir} does not exist` };
  return describe(source, root, path.join(root, 'include'), libDir, path.join(root, 'share', 'cmake'));
}

/** @param {NodeJS.ProcessEnv} env @returns {LibtorchInfo} */
function fromPytorch(env) {
  const python = env.PYTHON || 'python3';
  let dir;
  try {
    dir = execFileSync(python, ['-c', 'import os, torch; print(os.path.dirname(torch.__file__))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    }).trim();
  } catch (e) {
    return { ok: false, source: 'pytorch', root: python, reason: `${python} could not import torch` };
  }
  return fromFolder('pytorch', dir);
}

/** @returns {LibtorchInfo} */
function fromSystem() {
  for (const libDir of SYSTEM_LIB_DIRS) {
    if (!fs.existsSync(path.join(libDir, 'libtorch.so'))) continue;
    for (const includeDir of SYSTEM_INCLUDE_DIRS) {
      if (!readVersion(includeDir)) continue;
      const cmake = path.join(libDir, 'cmake');
      return describe('system', libDir, includeDir, libDir, fs.existsSync(path.join(cmake, 'Torch')) ? cmake : null);
    }
  }
  // No libtorch-dev: the runtime package alone (libtorch.so.<major>.<minor>) still runs a prebuild.
  for (const libDir of SYSTEM_LIB_DIRS) {
    let files;
    try {
      files = fs.readdirSync(libDir);
    } catch {
      continue;
    }
    if (versionFromLibs(files)) return describe('system', libDir, SYSTEM_INCLUDE_DIRS[0], libDir, null);
  }
  return {
    ok: false,
    source: 'system',
    root: SYSTEM_LIB_DIRS.join(':'),
    reason: 'no libtorch.so with torch/version.h in the system folders',
  };
}

/**
 * Finds libtorch in the documented order. Returns `{ok: true, ...}` with its folders, version and
 * variant, or `{ok: false, source, root, reason}` saying where it looked and what was missing.
 * Set LIBTORCH to an empty folder to see what a user without libtorch sees.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {LibtorchInfo}
 */
function findLibtorch(env = process.env) {
  if (env.LIBTORCH) return fromFolder('LIBTORCH', path.resolve(env.LIBTORCH));
  if (env.LIBTORCH_USE_PYTORCH === '1' || env.LIBTORCH_USE_PYTORCH === 'true') return fromPytorch(env);
  return fromSystem();
}

module.exports = { findLibtorch };

if (require.main === module) {
  const info = findLibtorch();
  const flag = process.argv[2] || '--json';
  if (!info.ok) {
    console.error(`torch-sentiment: libtorch not found (${info.source}: ${info.reason}).`);
    console.error('  Debian/Ubuntu: apt-get install libtorch-dev libopenblas0-pthread');
    console.error('  or set LIBTORCH=/path/to/libtorch (the folder of the official zip),');
    console.error('  or set LIBTORCH_USE_PYTORCH=1 to use the libtorch inside python3\'s torch.');
    process.exit(1);
  }
  /** @type {Record<string, (() => string) | undefined>} */
  const flags = {
    '--json': () => JSON.stringify(info, null, 2),
    '--cmake-prefix': () => info.cmakePrefix || '',
    '--include': () => info.includeDirs.join(' '),
    '--lib-dir': () => info.libDir,
    '--libs': () => info.libs.map((l) => `-l${l}`).join(' '),
    '--rpath': () => (info.system ? '' : `-Wl,-rpath,${info.libDir}`),
    '--cxx11-abi': () => `_GLIBCXX_USE_CXX11_ABI=${info.cxx11Abi}`,
    '--tag': () => `libtorch-${info.abi}-${info.variant}`,
  };
  const out = flags[flag];
  if (!out) {
    console.error(`unknown flag ${flag}`);
    process.exit(2);
  }
  process.stdout.write(out() + '\n');
}
