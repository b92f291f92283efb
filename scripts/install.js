'use strict';
// `npm install` hook: use a prebuilt binary that matches the libtorch found, else build from source.
// In a git clone (cmake-js present) the from-source build is CMake's; from the npm tarball it is
// node-gyp's (binding.gyp), which needs no extra package.
const { spawnSync } = require('child_process');
const path = require('path');
const fs = require('fs');

const root = path.resolve(__dirname, '..');

function run(cmd, args) {
  console.log(`torch-sentiment: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: false });
  if (r.error) throw r.error;
  return r.status === 0;
}

function main() {
  const fromSource = process.env.npm_config_build_from_source === 'true' || process.argv.includes('--build-from-source');
  if (!fromSource) {
    const { findPrebuild } = require('./prebuilds.js');
    const hit = findPrebuild(root);
    if (hit.file) {
      console.log(`torch-sentiment: using prebuilt ${path.relative(root, hit.file)} (${hit.tag})`);
      return 0;
    }
  }
  let cmakeJs = null;
  try {
    cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
  } catch {}
  if (cmakeJs && fs.existsSync(path.join(root, 'CMakeLists.txt'))) {
    return run(process.execPath, [cmakeJs, 'compile']) ? 0 : 1;
  }
  const npmNodeGyp = process.env.npm_config_node_gyp;
  if (npmNodeGyp) return run(process.execPath, [npmNodeGyp, 'rebuild']) ? 0 : 1;
  return run('node-gyp', ['rebuild']) ? 0 : 1;
}

process.exit(main());
