// Runs once in Jest's own process, before any worker starts. Jest gives each test file a copy of
// process.env, so the OPENBLAS_CORETYPE that lib/native.ts sets there never reaches the C environment
// that OpenBLAS reads when libtorch loads; here, in the real process.env, it does (workers inherit it).
// The tests then run the same OpenBLAS kernels as the library does in a plain Node process.
import { chooseOpenblasCoretype } from '../../lib/openblas';

export default function globalSetup(): void {
  chooseOpenblasCoretype(process.env);
}
