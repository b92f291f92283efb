'use strict';
// `node -r ./scripts/register-ts.js file.ts`: runs TypeScript sources directly (transpile only, no type
// check), for examples, benchmarks and tests that start fresh Node processes. `npm run build` type-checks.
// Transpiled files are cached in the temp folder (keyed by path, size and mtime), so processes and worker
// threads that load the whole library start without loading the compiler.
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const cacheDir = path.join(os.tmpdir(), `torch-sentiment-ts-cache-${process.getuid ? process.getuid() : 0}`);
let ts = null;

function transpile(source, filename) {
  ts ??= require('typescript');
  return ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false, inlineSourceMap: true },
  }).outputText;
}

require.extensions['.ts'] = function compile(module, filename) {
  const stat = fs.statSync(filename);
  const key = crypto.createHash('sha1').update(`${filename}\0${stat.size}\0${stat.mtimeMs}`).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let out;
  try {
    out = fs.readFileSync(cached, 'utf8');
  } catch {
    out = transpile(fs.readFileSync(filename, 'utf8'), filename);
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      fs.writeFileSync(tmp, out);
      fs.renameSync(tmp, cached);
    } catch {
      // A read-only temp folder only costs the cache.
    }
  }
  module._compile(out, filename);
};
