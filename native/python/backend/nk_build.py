"""A minimal PEP 517 / PEP 660 build backend for the pure-Python package neurokernels.

It uses the standard library only, so a build needs no download. Wheels follow the binary distribution
format (https://packaging.python.org/specifications/binary-distribution-format/): the package's files,
then NAME-VERSION.dist-info/ with METADATA, WHEEL and RECORD (every file with its sha256 digest and size;
RECORD itself without). The sdist is NAME-VERSION.tar.gz with PKG-INFO and the source files.
"""
import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "neurokernels"
SUMMARY = "NumPy access to libneurokernels, the C API of the neurokernels OpenCL/CUDA kernels"
REQUIRES_PYTHON = ">=3.8"
REQUIRES = ["numpy"]
TAG = "py3-none-any"
# the files of an sdist, besides the package and the backend
SDIST_EXTRA = ["pyproject.toml", "README.md"]
# fixed timestamps make builds reproducible (zip cannot store dates before 1980)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _version():
    with open(os.path.join(ROOT, NAME, "__init__.py"), encoding="utf-8") as f:
        m = re.search(r'^__version__ = "([^"]+)"', f.read(), re.M)
    if not m:
        raise RuntimeError("no __version__ in %s/__init__.py" % NAME)
    return m.group(1)


def _metadata():
    lines = ["Metadata-Version: 2.1", "Name: " + NAME, "Version: " + _version(), "Summary: " + SUMMARY,
             "Requires-Python: " + REQUIRES_PYTHON]
    lines += ["Requires-Dist: " + r for r in REQUIRES]
    readme = os.path.join(ROOT, "README.md")
    if os.path.exists(readme):
        lines.append("Description-Content-Type: text/markdown")
        with open(readme, encoding="utf-8") as f:
            return "\n".join(lines) + "\n\n" + f.read()
    return "\n".join(lines) + "\n"


def _wheel_file():
    return "Wheel-Version: 1.0\nGenerator: nk_build\nRoot-Is-Purelib: true\nTag: %s\n" % TAG


def _package_files(directory):
    """(path relative to ROOT, absolute path) of the .py files under directory, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, directory)):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for f in sorted(filenames):
            if f.endswith(".py"):
                full = os.path.join(dirpath, f)
                found.append((os.path.relpath(full, ROOT).replace(os.sep, "/"), full))
    return found


def _dist_info():
    return "%s-%s.dist-info" % (NAME, _version())


class _Wheel:
    """A wheel being written: add() each file, then close() writes RECORD."""

    def __init__(self, directory):
        self.name = "%s-%s-%s.whl" % (NAME, _version(), TAG)
        self.zip = zipfile.ZipFile(os.path.join(directory, self.name), "w", zipfile.ZIP_DEFLATED)
        self.record = []

    def add(self, arcname, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        info = zipfile.ZipInfo(arcname, ZIP_DATE)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        self.record.append("%s,sha256=%s,%d" % (arcname, digest, len(data)))

    def close(self):
        dist_info = _dist_info()
        self.add(dist_info + "/METADATA", _metadata())
        self.add(dist_info + "/WHEEL", _wheel_file())
        record = dist_info + "/RECORD"
        self.record.append(record + ",,")
        info = zipfile.ZipInfo(record, ZIP_DATE)
        info.external_attr = 0o644 << 16
        self.zip.writestr(info, "\n".join(self.record) + "\n")
        self.zip.close()
        return self.name


def _write_metadata_dir(metadata_directory):
    path = os.path.join(metadata_directory, _dist_info())
    os.makedirs(path, exist_ok=True)
    for name, text in (("METADATA", _metadata()), ("WHEEL", _wheel_file())):
        with open(os.path.join(path, name), "w", encoding="utf-8") as f:
            f.write(text)
    return _dist_info()


# ---- PEP 517 hooks

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _write_metadata_dir(metadata_directory)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel = _Wheel(wheel_directory)
    for arcname, full in _package_files(NAME):
        with open(full, "rb") as f:
            wheel.add(arcname, f.read())
    return wheel.close()


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (NAME, _version())
    files = _package_files(NAME) + _package_files("backend")
    files += [(f, os.path.join(ROOT, f)) for f in SDIST_EXTRA if os.path.exists(os.path.join(ROOT, f))]
    target = os.path.join(sdist_directory, base + ".tar.gz")

    def add(tar, arcname, data):
        info = tarfile.TarInfo(base + "/" + arcname)
        info.size, info.mode, info.mtime = len(data), 0o644, 315532800  # 1980-01-01
        tar.addfile(info, io.BytesIO(data))

    with tarfile.open(target, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        add(tar, "PKG-INFO", _metadata().encode("utf-8"))
        for arcname, full in sorted(files):
            with open(full, "rb") as f:
                add(tar, arcname, f.read())
    return os.path.basename(target)


# ---- PEP 660 hooks (pip install -e): a wheel whose .pth file puts this directory on sys.path

def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _write_metadata_dir(metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    wheel = _Wheel(wheel_directory)
    wheel.add("__editable__.%s.pth" % NAME, ROOT + "\n")
    return wheel.close()
