"""Devices and buffers: NumPy arrays in and out, one method per op of the C API."""
import contextlib
import ctypes
import operator
import re

import numpy as np

from .errors import NeurokernelsError
from .library import LifParams, load_library

#: Activation codes of the C API (org.neurokernels.Activation).
ACTIVATIONS = {"identity": 0, "tanh": 1, "logistic": 2, "relu": 3, "softplus": 4}

_UINT64_MAX = 2 ** 64 - 1


def _activation(f):
    if isinstance(f, str):
        try:
            return ACTIVATIONS[f.lower()]
        except KeyError:
            raise ValueError("unknown activation %r; one of %s" % (f, ", ".join(ACTIVATIONS))) from None
    code = operator.index(f)
    if code not in ACTIVATIONS.values():
        raise ValueError("unknown activation code %d; one of %s" % (code, ACTIVATIONS))
    return code


def _seed(seed):
    seed = operator.index(seed)
    if not 0 <= seed <= _UINT64_MAX:
        raise ValueError("seed %d is outside the uint64 range" % seed)
    return seed


class Buffer:
    """A rows x cols float32 matrix on a device (uint32 data travel as raw 32-bit words)."""

    def __init__(self, device, handle, shape):
        self.device, self._handle, self.shape = device, handle, shape

    @property
    def rows(self):
        return self.shape[0]

    @property
    def cols(self):
        return self.shape[1]

    @property
    def size(self):
        return self.shape[0] * self.shape[1]

    @property
    def handle(self):
        self.device._live()
        return self._handle

    def _host(self, array):
        """array as a C-contiguous float32 (rows, cols) array; uint32 arrays are reinterpreted bit for bit."""
        a = np.asarray(array)
        if a.shape != self.shape and not (a.size == self.size and tuple(d for d in a.shape if d != 1) ==
                                          tuple(d for d in self.shape if d != 1)):
            raise ValueError("buffer is %dx%d, the array has shape %s" % (self.rows, self.cols, a.shape))
        if a.dtype == np.uint32:
            a = np.ascontiguousarray(a).view(np.float32)
        elif a.dtype.kind not in "biuf":
            raise TypeError("cannot upload an array of dtype %s" % a.dtype)
        return np.ascontiguousarray(a, dtype=np.float32).reshape(self.shape)

    def upload(self, array):
        """Copies array (the buffer's shape, or the same shape up to 1-sized axes) to the device; returns self."""
        a = self._host(array)
        self.device._check(self.device._nk.nk_upload(self.handle, a.ctypes.data, a.size))
        return self

    def download(self, dtype=np.float32):
        """The buffer as a new (rows, cols) array: float32, or np.uint32 for raw 32-bit words. Waits for the
        ops enqueued before."""
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.uint32):
            raise ValueError("download gives float32 or uint32, not %s" % dtype)
        out = np.empty(self.shape, np.float32)
        self.device._check(self.device._nk.nk_download(self.handle, out.ctypes.data, out.size))
        return out if dtype == np.float32 else out.view(np.uint32)

    def free(self):
        """Releases the device memory now; later use of this buffer raises NeurokernelsError (ERR_FREED)."""
        self.device._check(self.device._nk.nk_free(self.handle))

    def __repr__(self):
        return "<neurokernels.Buffer %dx%d on %s>" % (self.rows, self.cols, self.device.selector)


_SELECTOR_PD = re.compile(r"^opencl:(\d+):(\d+)$")
_SELECTOR_CUDA = re.compile(r"^cuda(?::(\d+))?$")


class Device:
    """An open device: use it as a context manager, or call close() (which frees its buffers).

    ``selector`` is the device's canonical id (opencl:P:D or cuda:N) and ``name`` its name. Ops take
    Buffers of this device; shapes are checked by the library, and a failure raises NeurokernelsError.
    """

    def __init__(self, library, handle, selector=None):
        self.library, self._nk, self._handle = library, library.lib, handle
        self.name, self.selector = "", selector
        try:
            name = ctypes.create_string_buffer(256)
            self._check(self._nk.nk_device_name(handle, name, len(name)))
            self.name = name.value.decode("utf-8", "replace")
            if hasattr(self._nk, "nk_device_selector"):
                sel = ctypes.create_string_buffer(64)
                self._check(self._nk.nk_device_selector(handle, sel, len(sel)))
                self.selector = sel.value.decode()
        except BaseException:
            self._nk.nk_close(handle)
            self._handle = None
            raise

    # -- life cycle
    def _live(self):
        if self._handle is None:
            raise NeurokernelsError(None, "device %s is closed" % self.selector)
        return self._handle

    @property
    def handle(self):
        return self._live()

    @property
    def closed(self):
        return self._handle is None

    def _check(self, status):
        self.library.check(status)

    def close(self):
        """Releases the device and every buffer on it; closing twice is allowed."""
        if self._handle is not None:
            handle, self._handle = self._handle, None
            self._check(self._nk.nk_close(handle))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<neurokernels.Device %s (%s)%s>" % (self.selector, self.name, " closed" if self.closed else "")

    def _need(self, fn):
        if not hasattr(self._nk, fn):
            raise NeurokernelsError(None, "this libneurokernels (%s) has no %s; it predates it" % (self.library.path, fn))
        return getattr(self._nk, fn)

    def gemm_config(self):
        """(configuration, compiler defines, tuning-store key) the device was opened with, as the Java library
        would choose them: e.g. ("PACKED mr=8 nr=32 ts=64 (default for CPU devices)", "-DMR=8 ...", "...")."""
        fn = self._need("nk_device_gemm")
        bufs = [ctypes.create_string_buffer(1024) for _ in range(3)]
        self._check(fn(self.handle, bufs[0], 1024, bufs[1], 1024, bufs[2], 1024))
        return tuple(b.value.decode("utf-8", "replace") for b in bufs)

    @property
    def tuning_key(self):
        """The device's key in the GEMM tuning store (empty on CUDA)."""
        return self.gemm_config()[2]

    def plan_gemm(self, m, n, k, trans_a=False, trans_b=False):
        """(defines, [(kernel, global_x, global_y, local_x, local_y), ...]): the launches this device plans for an
        m x n x k product of the GEMM family, without running them."""
        fn = self._need("nk_gemm_plan")
        text = ctypes.create_string_buffer(1024)
        self._check(fn(self.handle, int(m), int(n), int(k), int(bool(trans_a)), int(bool(trans_b)), text, len(text)))
        return self._launches(text)

    def plan_output_layer(self, rows, classes, width):
        """(defines, launches) as plan_gemm, for output_layer's launches besides its GEMMs."""
        fn = self._need("nk_output_layer_plan")
        text = ctypes.create_string_buffer(1024)
        self._check(fn(self.handle, int(rows), int(classes), int(width), text, len(text)))
        return self._launches(text)

    def _launches(self, text):
        launches = []
        for line in text.value.decode().splitlines():
            kernel, gx, gy, lx, ly = line.split()
            launches.append((kernel, int(gx), int(gy), int(lx), int(ly)))
        return self.gemm_config()[1], launches

    # -- any op with a launch plan, by name (the C library's table, generated from the Java op files)
    def ops(self):
        """{name: (tensors, params)} of every op run() reaches: tensors as (name, role, optional) with role
        "in", "out" or "inout"; params as (name, type, default)."""
        count = self._need("nk_op_count")()
        out = {}
        for i in range(count):
            text = ctypes.create_string_buffer(2048)
            self._check(self._nk.nk_op_describe(i, text, len(text)))
            name, *items = text.value.decode().split()
            tensors, params = [], []
            for item in items:
                if "=" in item:
                    pname, rest = item.split("=", 1)
                    ptype, default = rest.split(":", 1)
                    params.append((pname, ptype, default))
                else:
                    tname, role = item.split(":")
                    tensors.append((tname, role.rstrip("?"), role.endswith("?")))
            out[name] = (tensors, params)
        return out

    def _op_args(self, tensors, params):
        names = [n for n, b in tensors.items() if b is not None]
        handles = [self._b(tensors[n], n) for n in names]
        cnames = (ctypes.c_char_p * max(len(names), 1))(*[n.encode() for n in names])
        chandles = (ctypes.c_void_p * max(len(names), 1))(*handles)
        text = " ".join("%s=%s" % (k, str(v).lower() if isinstance(v, bool) else v) for k, v in params.items())
        return len(names), cnames, chandles, text.encode()

    def run(self, op, **kwargs):
        """Runs op (any name in ops()) with tensors and parameters as keyword arguments: Buffers are tensors
        (an in-place output under its input's name), anything else a parameter (activations by name)."""
        tensors = {k: v for k, v in kwargs.items() if isinstance(v, Buffer) or v is None}
        params = {k: v for k, v in kwargs.items() if k not in tensors}
        n, names, handles, text = self._op_args(tensors, params)
        self._check(self._need("nk_run")(self.handle, op.encode(), n, names, handles, text))

    def plan(self, op, **kwargs):
        """The launches run() would make, one per line (kernel, global/local sizes, arguments), launching nothing."""
        tensors = {k: v for k, v in kwargs.items() if isinstance(v, Buffer) or v is None}
        params = {k: v for k, v in kwargs.items() if k not in tensors}
        n, names, handles, text = self._op_args(tensors, params)
        out = ctypes.create_string_buffer(8192)
        self._check(self._need("nk_op_plan")(self.handle, op.encode(), n, names, handles, text, out, len(out)))
        return out.value.decode().splitlines()

    def dot(self, x, y):
        """sum(x * y) over every element (partial sums on the device, added in double)."""
        out = ctypes.c_double()
        self._check(self._need("nk_dot")(self.handle, self._b(x, "x"), self._b(y, "y"), ctypes.byref(out)))
        return out.value

    def frobenius_norm(self, x):
        """sqrt(sum(x ** 2))."""
        out = ctypes.c_double()
        self._check(self._need("nk_frobenius_norm")(self.handle, self._b(x, "x"), ctypes.byref(out)))
        return out.value

    @contextlib.contextmanager
    def independently(self):
        """with dev.independently(): ops that do not depend on each other's results; the library may pair
        small GEMM-family ops into one launch (nk_independent_begin/end)."""
        self._check(self._need("nk_independent_begin")(self.handle))
        try:
            yield self
        finally:
            self._check(self._nk.nk_independent_end(self.handle))

    def finish(self):
        """Waits until every enqueued op has completed."""
        self._check(self._nk.nk_finish(self.handle))

    # -- buffers
    def buffer(self, rows, cols, data=None):
        """A new zero-filled rows x cols buffer, filled from data when given."""
        rows, cols = operator.index(rows), operator.index(cols)
        if rows <= 0 or cols <= 0:
            raise ValueError("a buffer needs rows, cols > 0, got %dx%d" % (rows, cols))
        b = Buffer(self, None, (rows, cols))
        host = b._host(data) if data is not None else None
        h = ctypes.c_void_p()
        self._check(self._nk.nk_alloc(self.handle, rows, cols, ctypes.byref(h)))
        b._handle = h.value
        return b.upload(host) if host is not None else b

    def put(self, array):
        """A new buffer holding array: 2-D arrays keep their shape, 1-D ones become one row, scalars 1 x 1."""
        a = np.asarray(array)
        if a.ndim > 2:
            raise ValueError("put takes arrays of at most 2 dimensions, got shape %s" % (a.shape,))
        a = a.reshape((1,) * (2 - a.ndim) + a.shape)
        return self.buffer(a.shape[0], a.shape[1], a)

    def _b(self, buf, name):
        if not isinstance(buf, Buffer):
            raise TypeError("%s must be a neurokernels.Buffer, got %s" % (name, type(buf).__name__))
        if buf.device is not self:
            raise ValueError("%s belongs to another device (%r); an op takes buffers of the device it runs on" % (name, buf.device))
        return buf.handle

    def _opt(self, buf, name):
        return None if buf is None else self._b(buf, name)

    # -- linear algebra and learning
    def gemm(self, a, b, c, trans_a=False, trans_b=False, alpha=1.0, beta=0.0):
        """c = alpha op(a) op(b) + beta c (c not read when beta is 0)."""
        self._check(self._nk.nk_gemm(self.handle, int(bool(trans_a)), int(bool(trans_b)), alpha, self._b(a, "a"), self._b(b, "b"),
                                     beta, self._b(c, "c")))

    def dense_forward(self, x, w, bias, activation, out, pre=None):
        """out = f(x w^T + bias); bias (1 x out) and pre (the pre-activation) may be None."""
        self._check(self._nk.nk_dense_forward(self.handle, self._b(x, "x"), self._b(w, "w"), self._opt(bias, "bias"),
                                              _activation(activation), self._b(out, "out"), self._opt(pre, "pre")))

    def backward_delta(self, delta, m, a, activation, out, trans_m=False, from_output=False):
        """out = (delta op(m)) * f'(a); a is the pre-activation, or the output f(z) when from_output."""
        self._check(self._nk.nk_backward_delta(self.handle, self._b(delta, "delta"), int(bool(trans_m)), self._b(m, "m"), self._b(a, "a"),
                                               _activation(activation), int(bool(from_output)), self._b(out, "out")))

    def sgd_update(self, w, grad, lr, decay=0.0, momentum=0.0, velocity=None):
        """v = momentum v + grad (velocity given); w -= lr (t + decay w), t = v or grad."""
        self._check(self._nk.nk_sgd_update(self.handle, lr, decay, momentum, self._b(w, "w"), self._b(grad, "grad"),
                                           self._opt(velocity, "velocity")))

    def dense_update(self, delta, h, w, lr, decay=0.0, momentum=0.0, b=None, vw=None, vb=None, feedback=None):
        """A dense layer's gradients delta^T h and their step in one launch (see nk_dense_update)."""
        self._check(self._nk.nk_dense_update(self.handle, lr, decay, momentum, self._b(delta, "delta"), self._b(h, "h"), self._b(w, "w"),
                                             self._opt(b, "b"), self._opt(vw, "vw"), self._opt(vb, "vb"), self._opt(feedback, "feedback")))

    def kp_update(self, w, b, grad, lr, decay=0.0, momentum=0.0, velocity=None):
        """Kolen-Pollack: w and b take the same step t."""
        self._check(self._nk.nk_kp_update(self.handle, lr, decay, momentum, self._b(w, "w"), self._b(b, "b"), self._b(grad, "grad"),
                                          self._opt(velocity, "velocity")))

    def softmax_xent(self, logits, targets, probs, grad, loss):
        """Row-wise softmax cross-entropy: probs, grad = (probs - targets) / rows, loss (rows x 1)."""
        self._check(self._nk.nk_softmax_xent(self.handle, self._b(logits, "logits"), self._b(targets, "targets"), self._b(probs, "probs"),
                                             self._b(grad, "grad"), self._b(loss, "loss")))

    def output_layer(self, h, w, targets, probs, grad, loss, b=None, m=None, delta=None, activation="tanh"):
        """A softmax output layer and the delta it sends below (m and delta both given, or neither)."""
        self._check(self._nk.nk_output_layer(self.handle, self._b(h, "h"), self._b(w, "w"), self._opt(b, "b"), self._b(targets, "targets"),
                                             self._opt(m, "m"), _activation(activation), self._b(probs, "probs"), self._b(grad, "grad"),
                                             self._b(loss, "loss"), self._opt(delta, "delta")))

    # -- random numbers
    def random_uniform(self, out, seed, stream, draw, lo=0.0, hi=1.0):
        """out = U[lo, hi) from Philox4x32-10 (counter (e / 4, stream, draw, 0), key seed)."""
        self._check(self._nk.nk_random_uniform(self.handle, _seed(seed), stream, draw, lo, hi, self._b(out, "out")))

    def philox(self, counter, key, out):
        """Raw Philox4x32-10 of n x 4 counters and n x 2 keys (uint32 words) into out (n x 4)."""
        self._check(self._nk.nk_philox(self.handle, self._b(counter, "counter"), self._b(key, "key"), self._b(out, "out")))

    # -- neural dynamics
    def lif_step(self, params, dt, tau_rate, v, i_e, i_i, refractory, spikes, rate, count, i_ext=None, syn_e=None, syn_i=None):
        """One exact-integration step of LIF neurons (PyNN IF_curr_exp, NEST iaf_psc_exp); every buffer is
        batch x n. dt and tau_rate in ms; syn_e and syn_i are this step's weighted input spikes (nA)."""
        if not isinstance(params, LifParams):
            raise TypeError("params must be a neurokernels.LifParams, got %s" % type(params).__name__)
        self._check(self._nk.nk_lif_step(self.handle, ctypes.byref(params), dt, tau_rate, self._b(v, "v"), self._b(i_e, "i_e"),
                                         self._b(i_i, "i_i"), self._b(refractory, "refractory"), self._opt(i_ext, "i_ext"),
                                         self._opt(syn_e, "syn_e"), self._opt(syn_i, "syn_i"), self._b(spikes, "spikes"),
                                         self._b(rate, "rate"), self._b(count, "count")))

    def rate_step(self, activation, exponential_euler, r, x, c, tau=None, noise_scale=0.0, seed=0, stream=0, step=0):
        """One step of a firing-rate population (see nk_rate_step)."""
        self._check(self._nk.nk_rate_step(self.handle, _activation(activation), int(bool(exponential_euler)), self._b(r, "r"),
                                          self._b(x, "x"), self._b(c, "c"), self._opt(tau, "tau"), noise_scale, _seed(seed), stream, step))

    def izhikevich_step(self, dt, v, u, abcd, spikes, count, i_ext=None, syn=None):
        """One step of Izhikevich neurons (2003 convention); abcd is 4 x n."""
        self._check(self._nk.nk_izhikevich_step(self.handle, dt, self._b(v, "v"), self._b(u, "u"), self._b(abcd, "abcd"),
                                                self._opt(i_ext, "i_ext"), self._opt(syn, "syn"), self._b(spikes, "spikes"),
                                                self._b(count, "count")))

    def poisson(self, dt, rate, seed, stream, step, spikes, count):
        """Poisson sources: spikes = [uniform < rate dt] (rate 1 x n, per ms); count += spikes."""
        self._check(self._nk.nk_poisson(self.handle, dt, self._b(rate, "rate"), _seed(seed), stream, step, self._b(spikes, "spikes"),
                                        self._b(count, "count")))


def _open_without_nk_open(library, selector):
    """Selectors for a library that predates nk_open: opencl:P:D, cuda[:N], and auto/opencl as opencl:0:0."""
    h = ctypes.c_void_p()
    s = selector.strip().lower()
    m = _SELECTOR_PD.match(s)
    c = _SELECTOR_CUDA.match(s)
    if m:
        canonical = "opencl:%s:%s" % (int(m.group(1)), int(m.group(2)))
        library.check(library.lib.nk_open_opencl(int(m.group(1)), int(m.group(2)), ctypes.byref(h)))
    elif c:
        canonical = "cuda:%d" % int(c.group(1) or 0)
        library.check(library.lib.nk_open_cuda(int(c.group(1) or 0), ctypes.byref(h)))
    elif s in ("auto", "opencl"):
        canonical = "opencl:0:0"
        library.check(library.lib.nk_open_opencl(0, 0, ctypes.byref(h)))
    else:
        raise NeurokernelsError(None, "%s has no nk_open, so the selector %r cannot be resolved; use opencl:P:D or cuda:N, "
                                      "or a newer libneurokernels" % (library.path, selector))
    return h.value, canonical


def open(selector="auto", library=None):  # noqa: A001 (module-level open, as the C API's nk_open)
    """Opens a device and returns a Device (a context manager).

    selector (case-insensitive), as nk_open takes it:
      ``auto``         cuda:0 when it opens, else the best OpenCL device (as ``opencl``)
      ``opencl``       the best OpenCL device: GPUs and accelerators, then CPUs
      ``opencl:NAME``  the one OpenCL device whose device name, platform name, vendor or version contains
                       NAME, e.g. ``opencl:pocl`` (none or several is an error listing the devices)
      ``opencl:P:D``   platform P, device D in the ICD loader's order
      ``cuda:N``       CUDA device N (``cuda`` is cuda:0)
    A library older than nk_open takes only opencl:P:D and cuda:N here, and auto or opencl as opencl:0:0.
    library: a Library, a path to libneurokernels.so, or None to locate it (find_library()).
    The device's canonical id and name are ``Device.selector`` and ``Device.name``.
    """
    if not isinstance(selector, str):
        raise TypeError("selector must be a string such as 'auto', 'opencl:pocl', 'opencl:0:0' or 'cuda:0'")
    lib = library if hasattr(library, "lib") and hasattr(library, "check") else load_library(library)
    if lib.has_open:
        h = ctypes.c_void_p()
        lib.check(lib.lib.nk_open(selector.encode(), ctypes.byref(h)))
        handle, canonical = h.value, selector
    else:
        handle, canonical = _open_without_nk_open(lib, selector)
    return Device(lib, handle, canonical)
