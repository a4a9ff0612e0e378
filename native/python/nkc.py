"""A small ctypes binding of libneurokernels.so (native/include/neurokernels.h) for NumPy users."""
import ctypes
import numpy as np

OK = 0
ACTIVATIONS = {"identity": 0, "tanh": 1, "logistic": 2, "relu": 3, "softplus": 4}


class LifParams(ctypes.Structure):
    """PyNN IF_curr_exp parameters (ms, nF, mV, nA)."""
    _fields_ = [(n, ctypes.c_double) for n in
                ("tau_m", "cm", "v_rest", "v_reset", "v_thresh", "tau_refrac", "tau_syn_e", "tau_syn_i", "i_offset")]


class NeurokernelsError(RuntimeError):
    def __init__(self, status, message):
        super().__init__("status %d: %s" % (status, message))
        self.status = status


class Library:
    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        self.lib.nk_last_error.restype = ctypes.c_char_p
        self.lib.nk_random_uniform.argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int, ctypes.c_int,
                                               ctypes.c_float, ctypes.c_float, ctypes.c_void_p]
        self.lib.nk_rate_step.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int] + [ctypes.c_void_p] * 4 + [ctypes.c_float, ctypes.c_uint64, ctypes.c_int, ctypes.c_int]
        self.lib.nk_izhikevich_step.argtypes = [ctypes.c_void_p, ctypes.c_float] + [ctypes.c_void_p] * 7
        self.lib.nk_poisson.argtypes = [ctypes.c_void_p, ctypes.c_float, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
        self.lib.nk_lif_step.argtypes = [ctypes.c_void_p, ctypes.POINTER(LifParams), ctypes.c_double, ctypes.c_double] + [ctypes.c_void_p] * 10

    def check(self, status):
        if status != OK:
            raise NeurokernelsError(status, self.lib.nk_last_error().decode())
        return status

    def open(self, platform=0, device=0):
        """An OpenCL device, opencl:platform:device."""
        handle = ctypes.c_void_p()
        self.check(self.lib.nk_open_opencl(platform, device, ctypes.byref(handle)))
        return Device(self, handle)

    def open_cuda(self, ordinal=0):
        """A CUDA device, cuda:ordinal (needs the NVIDIA driver and a build made with nvcc)."""
        handle = ctypes.c_void_p()
        self.check(self.lib.nk_open_cuda(ordinal, ctypes.byref(handle)))
        return Device(self, handle)


class Buffer:
    def __init__(self, device, handle, shape):
        self.device, self.handle, self.shape = device, handle, shape

    def upload(self, array):
        a = np.ascontiguousarray(array).reshape(self.shape)
        if a.dtype == np.uint32:
            a = a.view(np.float32)  # uint32 words travel as raw bits
        a = np.ascontiguousarray(a, dtype=np.float32)
        self.device.lib.check(self.device.lib.lib.nk_upload(self.handle, a.ctypes.data_as(ctypes.c_void_p), ctypes.c_size_t(a.size)))
        return self

    def download(self, dtype=np.float32):
        out = np.empty(self.shape, np.float32)
        self.device.lib.check(self.device.lib.lib.nk_download(self.handle, out.ctypes.data_as(ctypes.c_void_p), ctypes.c_size_t(out.size)))
        return out.view(dtype) if dtype != np.float32 else out

    def free(self):
        self.device.lib.check(self.device.lib.lib.nk_free(self.handle))


class Device:
    def __init__(self, lib, handle):
        self.lib, self.handle = lib, handle
        self.nk = lib.lib

    def buffer(self, rows, cols, data=None):
        h = ctypes.c_void_p()
        self.lib.check(self.nk.nk_alloc(self.handle, rows, cols, ctypes.byref(h)))
        b = Buffer(self, h, (rows, cols))
        return b.upload(data) if data is not None else b

    def put(self, array):
        a = np.atleast_2d(array)
        return self.buffer(a.shape[0], a.shape[1], a)

    @staticmethod
    def _h(b):
        return b.handle if b is not None else None

    def gemm(self, a, b, c, trans_a=False, trans_b=False, alpha=1.0, beta=0.0):
        self.lib.check(self.nk.nk_gemm(self.handle, int(trans_a), int(trans_b), ctypes.c_float(alpha), a.handle, b.handle, ctypes.c_float(beta), c.handle))

    def dense_forward(self, x, w, bias, activation, out, pre=None):
        self.lib.check(self.nk.nk_dense_forward(self.handle, x.handle, w.handle, self._h(bias), ACTIVATIONS[activation], out.handle, self._h(pre)))

    def backward_delta(self, delta, m, a, activation, out, trans_m=False, from_output=False):
        self.lib.check(self.nk.nk_backward_delta(self.handle, delta.handle, int(trans_m), m.handle, a.handle, ACTIVATIONS[activation], int(from_output), out.handle))

    def sgd_update(self, w, grad, lr, decay=0.0, momentum=0.0, velocity=None):
        self.lib.check(self.nk.nk_sgd_update(self.handle, ctypes.c_float(lr), ctypes.c_float(decay), ctypes.c_float(momentum), w.handle, grad.handle, self._h(velocity)))

    def dense_update(self, delta, h, w, lr, decay=0.0, momentum=0.0, b=None, vw=None, vb=None, feedback=None):
        self.lib.check(self.nk.nk_dense_update(self.handle, ctypes.c_float(lr), ctypes.c_float(decay), ctypes.c_float(momentum),
                                               delta.handle, h.handle, w.handle, self._h(b), self._h(vw), self._h(vb), self._h(feedback)))

    def kp_update(self, w, b, grad, lr, decay=0.0, momentum=0.0, velocity=None):
        self.lib.check(self.nk.nk_kp_update(self.handle, ctypes.c_float(lr), ctypes.c_float(decay), ctypes.c_float(momentum), w.handle, b.handle, grad.handle, self._h(velocity)))

    def softmax_xent(self, logits, targets, probs, grad, loss):
        self.lib.check(self.nk.nk_softmax_xent(self.handle, logits.handle, targets.handle, probs.handle, grad.handle, loss.handle))

    def output_layer(self, h, w, targets, probs, grad, loss, b=None, m=None, delta=None, activation="tanh"):
        self.lib.check(self.nk.nk_output_layer(self.handle, h.handle, w.handle, self._h(b), targets.handle, self._h(m), ACTIVATIONS[activation],
                                               probs.handle, grad.handle, loss.handle, self._h(delta)))

    def random_uniform(self, out, seed, stream, draw, lo, hi):
        self.lib.check(self.nk.nk_random_uniform(self.handle, seed, stream, draw, lo, hi, out.handle))

    def philox(self, counter, key, out):
        self.lib.check(self.nk.nk_philox(self.handle, counter.handle, key.handle, out.handle))

    def lif_step(self, params, dt, tau_rate, v, i_e, i_i, refractory, spikes, rate, count, i_ext=None, syn_e=None, syn_i=None):
        self.lib.check(self.nk.nk_lif_step(self.handle, ctypes.byref(params), dt, tau_rate, v.handle, i_e.handle, i_i.handle, refractory.handle,
                                           self._h(i_ext), self._h(syn_e), self._h(syn_i), spikes.handle, rate.handle, count.handle))

    def rate_step(self, activation, exponential_euler, r, x, c, tau=None, noise_scale=0.0, seed=0, stream=0, step=0):
        self.lib.check(self.nk.nk_rate_step(self.handle, ACTIVATIONS[activation], int(exponential_euler), r.handle, x.handle, c.handle,
                                            self._h(tau), noise_scale, seed, stream, step))

    def izhikevich_step(self, dt, v, u, abcd, spikes, count, i_ext=None, syn=None):
        self.lib.check(self.nk.nk_izhikevich_step(self.handle, dt, v.handle, u.handle, abcd.handle, self._h(i_ext), self._h(syn), spikes.handle, count.handle))

    def poisson(self, dt, rate, seed, stream, step, spikes, count):
        self.lib.check(self.nk.nk_poisson(self.handle, dt, rate.handle, seed, stream, step, spikes.handle, count.handle))

    def close(self):
        self.lib.check(self.nk.nk_close(self.handle))
