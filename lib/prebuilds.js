// @ts-check
'use strict';
// Where prebuilt binaries live and how they are named: one per libtorch version and variant,
//   prebuilds/<platform>-<arch>/torch_sentiment.libtorch-<major.minor>-<cpu|cuda>.node
// Shared by scripts/install.js, scripts/make-prebuild.js and the runtime loader (lib/native.ts);
// plain JS for the same reason as lib/libtorch.js.
const fs = require('fs');
const path = require('path');
const { findLibtorch } = require('./libtorch.js');

/** @typedef {import('./libtorch.js').LibtorchInfo} LibtorchInfo */
/** @typedef {import('./libtorch.js').LibtorchFound} LibtorchFound */

const NAME = 'torch_sentiment';

/** @param {string} root the package root @returns {string} */
function prebuildDir(root) {
  return path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
}

/** @param {LibtorchFound} libtorch @returns {string} e.g. "libtorch-1.13-cpu" */
function tagFor(libtorch) {
  return `libtorch-${libtorch.abi}-${libtorch.variant}`;
}

/** @param {string} root @returns {string[]} the prebuilt binaries for this platform, any libtorch */
function listPrebuilds(root) {
  const dir = prebuildDir(root);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.startsWith(`${NAME}.`) && f.endsWith('.node')).map((f) => path.join(dir, f));
}

/**
 * The prebuild for the libtorch found (or given), or {file: null} with what was looked for.
 * @param {string} root the package root
 * @param {LibtorchInfo} [libtorch]
 * @returns {{ file: string | null, tag: string | null, libtorch: LibtorchInfo, available: string[] }}
 */
function findPrebuild(root, libtorch = findLibtorch()) {
  if (!libtorch.ok) return { file: null, tag: null, libtorch, available: listPrebuilds(root) };
  const tag = tagFor(libtorch);
  const file = path.join(prebuildDir(root), `${NAME}.${tag}.node`);
  return { file: fs.existsSync(file) ? file : null, tag, libtorch, available: listPrebuilds(root) };
}

module.exports = { NAME, prebuildDir, tagFor, listPrebuilds, findPrebuild };
