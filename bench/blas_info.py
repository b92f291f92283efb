# The OpenBLAS kernels this Python process runs (openblas_get_corename), for the benchmarks' headers:
# both sides must run the same ones. None when libtorch's BLAS is not OpenBLAS.
import ctypes


def openblas_core():
    with open('/proc/self/maps') as maps:
        libs = {line.split()[-1] for line in maps if 'openblas' in line and line.split()[-1].startswith('/')}
    for lib in sorted(libs):
        try:
            fn = ctypes.CDLL(lib).openblas_get_corename
        except (OSError, AttributeError):
            continue
        fn.restype = ctypes.c_char_p
        return fn().decode()
    return None
