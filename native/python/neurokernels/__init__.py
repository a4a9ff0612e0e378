"""neurokernels: NumPy access to libneurokernels, the C API of the neurokernels OpenCL and CUDA kernels.

    import numpy as np
    import neurokernels as nk

    with nk.open("opencl:pocl") as dev:          # or "auto", "opencl:0:0", "cuda:0"
        a, b = dev.put(np.ones((4, 3))), dev.put(np.ones((3, 2)))
        c = dev.buffer(4, 2)
        dev.gemm(a, b, c)
        print(c.download())                      # a (4, 2) float32 array of 3s

The shared library is located by find_library(): NEUROKERNELS_LIBRARY, then the system loader
(ctypes.util.find_library, LD_LIBRARY_PATH), pkg-config and /usr/local/lib. Every failed call raises
NeurokernelsError with the library's status and message.
"""
from .errors import LibraryNotFound, NeurokernelsError, Status
from .library import API_VERSION, Library, LifParams, find_library, load_library
from .device import ACTIVATIONS, Buffer, Device, open  # noqa: A004

__version__ = "0.1.0"

__all__ = ["open", "Device", "Buffer", "LifParams", "ACTIVATIONS", "Library", "load_library", "find_library",
           "NeurokernelsError", "LibraryNotFound", "Status", "API_VERSION", "__version__"]
