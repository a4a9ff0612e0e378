"""Exceptions and status codes of the neurokernels C API."""
import enum


class Status(enum.IntEnum):
    """The nk_status codes of neurokernels.h."""
    OK = 0
    ERR_ARGUMENT = 1   # a null handle, a bad shape or value
    ERR_DEVICE = 2     # no such device, or it cannot be opened
    ERR_BUILD = 3      # the kernels failed to compile or load
    ERR_FREED = 4      # a buffer already freed
    ERR_OPENCL = 5     # an OpenCL (or CUDA) call failed
    ERR_MEMORY = 6     # host allocation failed


class NeurokernelsError(RuntimeError):
    """A failed call into libneurokernels.

    ``status`` is the nk_status code (a :class:`Status` where it is a known one, None for errors raised
    on the Python side) and ``message`` the library's description of the failure (nk_last_error).
    """

    def __init__(self, status, message):
        try:
            status = Status(status)
        except ValueError:
            pass
        self.status = status
        self.message = message
        if status is None:
            super().__init__(message)
        else:
            name = status.name if isinstance(status, Status) else str(status)
            super().__init__("%s (status %d): %s" % (name, int(status), message))


class LibraryNotFound(NeurokernelsError):
    """libneurokernels.so could not be found or loaded; the message lists the places tried and the fix."""

    def __init__(self, message):
        super().__init__(None, message)
