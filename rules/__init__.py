"""The rule packs, shipped as the package `cocontroller.packs` (pyproject.toml maps this folder):
read them with importlib.resources.files("cocontroller.packs"). This file only makes the folder
a regular package, which setuptools' editable install can map; it holds no code."""
