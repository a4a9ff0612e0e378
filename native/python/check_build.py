#!/usr/bin/env python3
"""Checks the in-tree build backend (backend/nk_build.py) without pip: builds the wheel, the sdist and an
editable wheel into a temporary directory and verifies the wheel's RECORD (every file listed once with
its sha256 digest and size), its WHEEL and METADATA, and that it holds exactly the package's modules."""
import base64
import hashlib
import os
import sys
import tarfile
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "backend"))
import nk_build  # noqa: E402


def check_wheel(path, expected):
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        dist_info = "%s-%s.dist-info" % (nk_build.NAME, nk_build._version())
        record = z.read(dist_info + "/RECORD").decode().splitlines()
        listed = {}
        for line in record:
            name, digest, size = line.rsplit(",", 2)
            assert name not in listed, "listed twice: " + name
            listed[name] = (digest, size)
        assert sorted(listed) == sorted(names), (sorted(listed), sorted(names))
        for name in names:
            digest, size = listed[name]
            if name == dist_info + "/RECORD":
                assert digest == "" and size == "", line
                continue
            data = z.read(name)
            want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == want and int(size) == len(data), "RECORD is wrong for " + name
        wheel = z.read(dist_info + "/WHEEL").decode()
        assert "Root-Is-Purelib: true" in wheel and "Tag: py3-none-any" in wheel, wheel
        meta = z.read(dist_info + "/METADATA").decode()
        assert "Name: neurokernels\n" in meta and "Version: %s\n" % nk_build._version() in meta, meta
        files = sorted(n for n in names if not n.startswith(dist_info + "/"))
        assert files == sorted(expected), (files, expected)
    return len(names)


with tempfile.TemporaryDirectory() as out:
    modules = [arc for arc, _ in nk_build._package_files("neurokernels")]
    assert "neurokernels/__init__.py" in modules, modules
    whl = nk_build.build_wheel(out)
    n = check_wheel(os.path.join(out, whl), modules)
    print("wheel %s: %d files, RECORD verified" % (whl, n))
    sdist = nk_build.build_sdist(out)
    with tarfile.open(os.path.join(out, sdist)) as t:
        members = t.getnames()
    base = "neurokernels-%s/" % nk_build._version()
    for f in ["PKG-INFO", "pyproject.toml", "backend/nk_build.py"] + modules:
        assert base + f in members, (f, members)
    print("sdist %s: %d files" % (sdist, len(members)))
    os.makedirs(os.path.join(out, "editable"))
    ed = nk_build.build_editable(os.path.join(out, "editable"))
    n = check_wheel(os.path.join(out, "editable", ed), ["__editable__.neurokernels.pth"])
    print("editable wheel: %d files, RECORD verified" % n)
print("package build ok")
