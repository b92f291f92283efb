'use strict';
// `node -r ./scripts/register-ts.js file.ts`: runs TypeScript sources directly (transpile only, no type
// check), for examples, benchmarks and tests that start fresh Node processes. `npm run build` type-checks.
const fs = require('fs');
const ts = require('typescript');

require.extensions['.ts'] = function compile(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const out = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false, inlineSourceMap: true },
  });
  module._compile(out.outputText, filename);
};
