'use strict';
// `npm install` hook. Uses the prebuilt binary that matches the libtorch found and then compiles and
// downloads nothing; with no match, or when asked to build from source
// (`npm install --build-from-source`, `npm rebuild torch-sentiment --build-from-source`,
// TORCH_SENTIMENT_BUILD_FROM_SOURCE=1), it builds:
// in a git clone (cmake-js installed as a devDependency) with CMake, the build of record; from the npm
// tarball with node-gyp and binding.gyp against this Node's own headers, so nothing is downloaded.
// With no libtorch at all it does not fail the install: it warns, and `require` explains (LoadError).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');

const FIXES = [
  '  Debian/Ubuntu:  apt-get install libtorch-dev libopenblas0-pthread',
  '  or set LIBTORCH=/path/to/libtorch (the folder of the official zip),',
  "  or set LIBTORCH_USE_PYTORCH=1 to use the libtorch inside python3's torch,",
  '  then: npm rebuild torch-sentiment',
];

function log(message) {
  console.log(`torch-sentiment: ${message}`);
}

function run(cmd, args, env = process.env) {
  log(`${path.basename(cmd)} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: false, env });
  if (r.error) {
    console.error(`torch-sentiment: could not run ${cmd}: ${r.error.message}`);
    return false;
  }
  return r.status === 0;
}

// `npm install --build-from-source` (npm passes it on as npm_config_build_from_source; npm 11 warns that
// it does not know the flag), or TORCH_SENTIMENT_BUILD_FROM_SOURCE=1, which no npm version questions.
function wantsSource() {
  const flag = process.env.npm_config_build_from_source;
  const own = process.env.TORCH_SENTIMENT_BUILD_FROM_SOURCE;
  return flag === 'true' || flag === 'torch-sentiment' || own === '1' || own === 'true' || process.argv.includes('--build-from-source');
}

// cmake-js only when it is this package's own devDependency (a clone after `npm ci`), not one that
// happens to sit in a parent project.
function ownCmakeJs() {
  try {
    const file = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
    return file.startsWith(path.join(root, 'node_modules') + path.sep) ? file : null;
  } catch {
    return null;
  }
}

// The headers of the Node that runs us (e.g. /usr/include/node from Debian's nodejs, or the official
// tarball's include/node), so node-gyp does not download them. Only when they are this exact version.
function localNodedir() {
  const prefix = path.dirname(path.dirname(process.execPath));
  const include = path.join(prefix, 'include', 'node');
  try {
    const h = fs.readFileSync(path.join(include, 'node_version.h'), 'utf8');
    const v = ['MAJOR', 'MINOR', 'PATCH'].map((p) => new RegExp(`#define\\s+NODE_${p}_VERSION\\s+(\\d+)`).exec(h)[1]).join('.');
    if (`v${v}` === process.version && fs.existsSync(path.join(include, 'common.gypi')) && fs.existsSync(path.join(include, 'node_api.h'))) return prefix;
  } catch {}
  return null;
}

function buildWithNodeGyp() {
  const args = ['rebuild', '--release', '--jobs', 'max'];
  const configured = process.env.npm_config_nodedir;
  const nodedir = configured || localNodedir();
  if (nodedir) {
    args.push(`--nodedir=${nodedir}`);
    log(`Node headers from ${nodedir}/include/node (${configured ? "npm's nodedir setting" : 'beside this node'}): nothing to download`);
  } else {
    log(`no headers for Node ${process.version} beside ${process.execPath}: node-gyp will download them (or pass --nodedir=...)`);
  }
  // npm gives install scripts the path of its bundled node-gyp; a global node-gyp is the fallback.
  // node-gyp lets npm_config_* variables override its command line, so the env must agree with --nodedir.
  const env = nodedir ? { ...process.env, npm_config_nodedir: nodedir } : process.env;
  const npmNodeGyp = process.env.npm_config_node_gyp;
  if (npmNodeGyp && fs.existsSync(npmNodeGyp)) return run(process.execPath, [npmNodeGyp, ...args], env);
  return run('node-gyp', args, env);
}

function main() {
  const started = Date.now();
  const { findPrebuild } = require('../lib/prebuilds.js');
  const hit = findPrebuild(root);
  const fromSource = wantsSource();
  if (!hit.libtorch.ok) {
    const msg = `libtorch not found (${hit.libtorch.source}: ${hit.libtorch.reason}).`;
    if (fromSource) {
      console.error(`torch-sentiment: cannot build from source: ${msg}\n${FIXES.join('\n')}`);
      return 1;
    }
    // Nothing can be built or checked without libtorch; the prebuilds may still fit the libtorch
    // installed later (or named by LIBTORCH only at run time). require() says what is missing.
    console.warn(`torch-sentiment: ${msg} Installed without checking; require() will fail until libtorch is found:\n${FIXES.join('\n')}`);
    return 0;
  }
  if (hit.file && !fromSource) {
    log(`using prebuilt ${path.relative(root, hit.file)} for libtorch ${hit.libtorch.version} (${hit.libtorch.source}); nothing to compile (${Date.now() - started} ms)`);
    return 0;
  }
  const why = fromSource ? 'building from source as asked' : `no prebuild for ${hit.tag} (have: ${hit.available.map((f) => path.basename(f)).join(', ') || 'none'}); building from source`;
  log(`${why}, against libtorch ${hit.libtorch.version} (${hit.libtorch.variant}) from ${hit.libtorch.source}`);
  if (hit.libtorch.headers === false) {
    console.error(`torch-sentiment: cannot build: libtorch ${hit.libtorch.version} at ${hit.libtorch.libDir} has no headers (Debian: apt-get install libtorch-dev).`);
    return 1;
  }
  const cmakeJs = ownCmakeJs();
  const ok = cmakeJs ? run(process.execPath, [cmakeJs, 'compile']) : buildWithNodeGyp();
  if (!ok) {
    console.error(
      'torch-sentiment: the build failed. It needs a C++17 compiler, make and python3 (node-gyp), and libtorch\'s headers ' +
        '(Debian: apt-get install g++ make python3 libtorch-dev).',
    );
    return 1;
  }
  log(`built build/Release/torch_sentiment.node in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

process.exit(main());
