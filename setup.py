"""Builds neurogeom's compiled core and CLI with CMake for `pip install --no-build-isolation .`.

The extension module neurogeom._core and the `neurogeom` executable come from the same CMake
build as `make`; the executable is shipped inside the package and started by the console
script `neurogeom` (neurogeom/_cli.py), so it lands on the environment's PATH.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


def library_version():
    """kVersion of include/neurogeom/core/version.hpp: the one place the version is written."""
    text = (ROOT / "include" / "neurogeom" / "core" / "version.hpp").read_text()
    return re.search(r'kVersion = "([^"]+)"', text).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = pathlib.Path(self.build_temp).resolve() / "cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        subprocess.check_call(["cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
                               f"-DPython3_EXECUTABLE={sys.executable}", "-DNEUROGEOM_BUILD_TESTS=OFF",
                               "-DNEUROGEOM_BUILD_BENCH=OFF"])
        jobs = str(os.cpu_count() or 1)
        subprocess.check_call(["cmake", "--build", str(build_dir), "-j", jobs, "--target", "_core", "neurogeom"])
        target = pathlib.Path(self.get_ext_fullpath(ext.name)).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        built = next((build_dir / "python" / "neurogeom").glob("_core*.so"))
        shutil.copyfile(built, target)
        stub = build_dir / "python" / "neurogeom" / "_core.pyi"
        if stub.exists():
            shutil.copyfile(stub, target.parent / "_core.pyi")
        bin_dir = target.parent / "_bin"
        bin_dir.mkdir(exist_ok=True)
        shutil.copy2(build_dir / "neurogeom", bin_dir / "neurogeom")


setup(
    version=library_version(),
    packages=["neurogeom"],
    package_dir={"": "python"},
    package_data={"neurogeom": ["py.typed", "*.pyi"]},
    ext_modules=[Extension("neurogeom._core", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
