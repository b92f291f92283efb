'use strict';
// Where prebuilt binaries live and how they are named: one per libtorch version and variant,
//   prebuilds/<platform>-<arch>/torch_sentiment.libtorch-<major.minor>-<cpu|cuda>.node
// Shared by scripts/install.js, scripts/prebuild.js and the runtime loader (lib/native.ts).
const fs = require('fs');
const path = require('path');
const { findLibtorch } = require('./libtorch.js');

const NAME = 'torch_sentiment';

function prebuildDir(root) {
  return path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
}

function tagFor(libtorch) {
  return `libtorch-${libtorch.abi}-${libtorch.variant}`;
}

function listPrebuilds(root) {
  const dir = prebuildDir(root);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.startsWith(`${NAME}.`) && f.endsWith('.node')).map((f) => path.join(dir, f));
}

/** The prebuild for the libtorch found (or given), or {file: null} with what was looked for. */
function findPrebuild(root, libtorch = findLibtorch()) {
  if (!libtorch.ok) return { file: null, tag: null, libtorch, available: listPrebuilds(root) };
  const tag = tagFor(libtorch);
  const file = path.join(prebuildDir(root), `${NAME}.${tag}.node`);
  return { file: fs.existsSync(file) ? file : null, tag, libtorch, available: listPrebuilds(root) };
}

module.exports = { NAME, prebuildDir, tagFor, listPrebuilds, findPrebuild };
