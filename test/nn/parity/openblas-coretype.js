#!/usr/bin/env node
'use strict';
// Prints the OPENBLAS_CORETYPE that torch-sentiment sets on this machine (lib/openblas.ts), or nothing
// when it leaves OpenBLAS to choose; the value already in the environment if one is set. The parity
// fixture scripts use it so that PyTorch runs the same OpenBLAS kernels as the library:
//   export OPENBLAS_CORETYPE=$(node test/nn/parity/openblas-coretype.js)
require('../../../scripts/register-ts.js');
const { chooseOpenblasCoretype } = require('../../../lib/openblas');

const choice = chooseOpenblasCoretype({ ...process.env });
if (choice.value !== undefined) console.log(choice.value);
