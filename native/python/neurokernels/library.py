"""Finding and loading libneurokernels.so, and the ctypes prototypes of its functions."""
import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sysconfig
import threading

from .errors import LibraryNotFound, NeurokernelsError, Status

#: The C API version (NK_API_VERSION) this package is written against.
API_VERSION = 1
#: The file names tried in a directory, the runtime name (SOVERSION 1) first.
FILE_NAMES = ("libneurokernels.so.1", "libneurokernels.so")

_HOW_TO_FIX = (
    "Build and install the C library, e.g.\n"
    "    cmake -S native -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build\n"
    "    cmake --install build --prefix PREFIX\n"
    "then set NEUROKERNELS_LIBRARY=PREFIX/lib/libneurokernels.so (or add PREFIX/lib to LD_LIBRARY_PATH, "
    "or PREFIX/lib/pkgconfig to PKG_CONFIG_PATH). A build tree's libneurokernels.so works as well.")


def _common_dirs():
    dirs = ["/usr/local/lib"]
    multiarch = sysconfig.get_config_var("MULTIARCH")
    if multiarch:
        dirs.append("/usr/local/lib/" + multiarch)
    dirs.append("/usr/local/lib64")
    return dirs


def _in_dir(directory):
    for name in FILE_NAMES:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    return None


def find_library():
    """The path (or loader name) of libneurokernels, searched in this order:

    1. the environment variable NEUROKERNELS_LIBRARY (a file path; an error if it does not exist),
    2. ``ctypes.util.find_library("neurokernels")`` (the loader cache, LD_LIBRARY_PATH),
    3. ``pkg-config --variable=libdir neurokernels``, where pkg-config and a neurokernels.pc exist,
    4. /usr/local/lib, /usr/local/lib/<multiarch> and /usr/local/lib64.

    Raises LibraryNotFound naming every place tried.
    """
    env = os.environ.get("NEUROKERNELS_LIBRARY")
    if env:
        if not os.path.isfile(env):
            raise LibraryNotFound("NEUROKERNELS_LIBRARY is set to %r, which is not a file.\n%s" % (env, _HOW_TO_FIX))
        return env
    tried = ["NEUROKERNELS_LIBRARY: not set"]
    name = ctypes.util.find_library("neurokernels")
    if name:
        return name
    tried.append('ctypes.util.find_library("neurokernels"): nothing (loader cache, LD_LIBRARY_PATH)')
    pkg_config = shutil.which("pkg-config")
    if pkg_config:
        try:
            done = subprocess.run([pkg_config, "--variable=libdir", "neurokernels"], capture_output=True, text=True, timeout=30)
            libdir = done.stdout.strip() if done.returncode == 0 else ""
        except (OSError, subprocess.SubprocessError):
            libdir = ""
        found = _in_dir(os.path.normpath(libdir)) if libdir else None
        if found:
            return found
        tried.append("pkg-config --variable=libdir neurokernels: " +
                     ("%s holds no libneurokernels.so" % libdir if libdir else "no neurokernels.pc on PKG_CONFIG_PATH"))
    else:
        tried.append("pkg-config: not installed")
    for directory in _common_dirs():
        found = _in_dir(directory)
        if found:
            return found
        tried.append(directory + ": no libneurokernels.so")
    raise LibraryNotFound("libneurokernels.so not found. Tried:\n  - " + "\n  - ".join(tried) + "\n" + _HOW_TO_FIX)


_p = ctypes.c_void_p
_i = ctypes.c_int
_f = ctypes.c_float
_d = ctypes.c_double
_u64 = ctypes.c_uint64
_size = ctypes.c_size_t
_pp = ctypes.POINTER(ctypes.c_void_p)


class LifParams(ctypes.Structure):
    """nk_lif_params: PyNN IF_curr_exp parameters in ms, nF, mV and nA.

    Fields not given take PyNN's IF_curr_exp defaults: tau_m 20, cm 1, v_rest -65, v_reset -65,
    v_thresh -50, tau_refrac 0.1, tau_syn_e 5, tau_syn_i 5, i_offset 0.
    """
    _fields_ = [(n, ctypes.c_double) for n in
                ("tau_m", "cm", "v_rest", "v_reset", "v_thresh", "tau_refrac", "tau_syn_e", "tau_syn_i", "i_offset")]
    DEFAULTS = (20.0, 1.0, -65.0, -65.0, -50.0, 0.1, 5.0, 5.0, 0.0)

    def __init__(self, *args, **kwargs):
        if len(args) > len(self._fields_):
            raise TypeError("LifParams takes at most %d values, got %d" % (len(self._fields_), len(args)))
        values = dict(zip((f[0] for f in self._fields_), self.DEFAULTS))
        for (field, _), value in zip(self._fields_, args):
            values[field] = value
        for key, value in kwargs.items():
            if key not in values:
                raise TypeError("LifParams has no field %r (fields: %s)" % (key, ", ".join(values)))
            values[key] = value
        super().__init__(**{k: float(v) for k, v in values.items()})

    def as_dict(self):
        return {name: getattr(self, name) for name, _ in self._fields_}

    def __repr__(self):
        return "LifParams(%s)" % ", ".join("%s=%g" % kv for kv in self.as_dict().items())


# name: (restype, argtypes); every function returns nk_status unless stated
_PROTOTYPES = {
    "nk_version": (_i, []),
    "nk_last_error": (ctypes.c_char_p, []),
    "nk_open_opencl": (_i, [_i, _i, _pp]),
    "nk_open_cuda": (_i, [_i, _pp]),
    "nk_device_name": (_i, [_p, ctypes.c_char_p, _size]),
    "nk_close": (_i, [_p]),
    "nk_finish": (_i, [_p]),
    "nk_alloc": (_i, [_p, _i, _i, _pp]),
    "nk_free": (_i, [_p]),
    "nk_upload": (_i, [_p, _p, _size]),
    "nk_download": (_i, [_p, _p, _size]),
    "nk_gemm": (_i, [_p, _i, _i, _f, _p, _p, _f, _p]),
    "nk_dense_forward": (_i, [_p, _p, _p, _p, _i, _p, _p]),
    "nk_backward_delta": (_i, [_p, _p, _i, _p, _p, _i, _i, _p]),
    "nk_sgd_update": (_i, [_p, _f, _f, _f, _p, _p, _p]),
    "nk_dense_update": (_i, [_p, _f, _f, _f, _p, _p, _p, _p, _p, _p, _p]),
    "nk_kp_update": (_i, [_p, _f, _f, _f, _p, _p, _p, _p]),
    "nk_softmax_xent": (_i, [_p, _p, _p, _p, _p, _p]),
    "nk_output_layer": (_i, [_p, _p, _p, _p, _p, _p, _i, _p, _p, _p, _p]),
    "nk_random_uniform": (_i, [_p, _u64, _i, _i, _f, _f, _p]),
    "nk_philox": (_i, [_p, _p, _p, _p]),
    "nk_lif_step": (_i, [_p, ctypes.POINTER(LifParams), _d, _d] + [_p] * 10),
    "nk_rate_step": (_i, [_p, _i, _i, _p, _p, _p, _p, _f, _u64, _i, _i]),
    "nk_izhikevich_step": (_i, [_p, _f] + [_p] * 7),
    "nk_poisson": (_i, [_p, _f, _p, _u64, _i, _i, _p, _p]),
}
# newer functions, bound where the library has them
_OPTIONAL = {
    "nk_open": (_i, [ctypes.c_char_p, _pp]),
    "nk_device_selector": (_i, [_p, ctypes.c_char_p, _size]),
    "nk_device_gemm": (_i, [_p, ctypes.c_char_p, _size, ctypes.c_char_p, _size, ctypes.c_char_p, _size]),
    "nk_gemm_plan": (_i, [_p, _i, _i, _i, _i, _i, ctypes.c_char_p, _size]),
    "nk_output_layer_plan": (_i, [_p, _i, _i, _i, ctypes.c_char_p, _size]),
    "nk_run": (_i, [_p, ctypes.c_char_p, _i, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(_p), ctypes.c_char_p]),
    "nk_op_plan": (_i, [_p, ctypes.c_char_p, _i, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(_p), ctypes.c_char_p,
                        ctypes.c_char_p, _size]),
    "nk_op_count": (_i, []),
    "nk_dot": (_i, [_p, _p, _p, ctypes.POINTER(_d)]),
    "nk_frobenius_norm": (_i, [_p, _p, ctypes.POINTER(_d)]),
    "nk_independent_begin": (_i, [_p]),
    "nk_independent_end": (_i, [_p]),
    "nk_op_describe": (_i, [_i, ctypes.c_char_p, _size]),
}


class Library:
    """A loaded libneurokernels with its functions' prototypes set; ``lib`` is the ctypes.CDLL."""

    def __init__(self, path=None):
        self.path = path if path is not None else find_library()
        try:
            self.lib = ctypes.CDLL(self.path)
        except OSError as e:
            raise LibraryNotFound("found %s but could not load it: %s\n%s" % (self.path, e, _HOW_TO_FIX)) from None
        for name, (restype, argtypes) in _PROTOTYPES.items():
            try:
                fn = getattr(self.lib, name)
            except AttributeError:
                raise LibraryNotFound("%s lacks %s: it is not a neurokernels library of API version %d" %
                                      (self.path, name, API_VERSION)) from None
            fn.restype, fn.argtypes = restype, argtypes
        for name, (restype, argtypes) in _OPTIONAL.items():
            fn = getattr(self.lib, name, None)
            if fn is not None:
                fn.restype, fn.argtypes = restype, argtypes
        self.has_open = hasattr(self.lib, "nk_open")
        self.version = self.lib.nk_version()
        if self.version != API_VERSION:
            raise LibraryNotFound("%s has C API version %d; this package needs version %d" % (self.path, self.version, API_VERSION))

    def last_error(self):
        msg = self.lib.nk_last_error()
        return msg.decode("utf-8", "replace") if msg else ""

    def check(self, status):
        """Raises NeurokernelsError for any status other than NK_OK."""
        if status != Status.OK:
            raise NeurokernelsError(status, self.last_error())

    def __repr__(self):
        return "<neurokernels.Library %s, API version %d>" % (self.path, self.version)


_loaded = {}
_loaded_lock = threading.Lock()


def load_library(path=None):
    """The Library at path, or (path None) the one find_library() locates; each is loaded once and kept."""
    with _loaded_lock:
        if path not in _loaded:
            _loaded[path] = Library(path)
        return _loaded[path]
