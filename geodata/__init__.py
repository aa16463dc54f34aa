"""The geodata, shipped as the package `cocontroller.data` (pyproject.toml maps this folder):
read it with importlib.resources.files("cocontroller.data"). This file only makes the folder a
regular package, which setuptools' editable install can map; it holds no code (build.py is a
dev-only script and is left out of the wheel)."""
