"""`python -m cocontroller_client.cli`: the same as the `cocontroller` script."""

from . import run

run()
