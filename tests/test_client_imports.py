"""The client CLI stays light: `cocontroller lookup --help` and `cocontroller --version`
import none of the server's dependencies (durable-rules, shapely, numpy, sqlite-utils, geopy,
geographiclib, PyYAML) and none of its layers. A fresh interpreter runs the click group and
reports sys.modules, so nothing this test process imported can hide or fake an import."""

import json
import subprocess
import sys
from importlib.metadata import version

SERVER_ONLY = (
    "durable", "durable_rules_engine", "shapely", "numpy", "sqlite_utils", "geopy",
    "geographiclib", "yaml",
    "cocontroller.domain", "cocontroller.rules", "cocontroller.store", "cocontroller.usecases",
    "cocontroller.api", "cocontroller.bootstrap", "cocontroller.admin",
)

PROGRAM = r"""
import contextlib, io, json, sys
from cocontroller_client.cli import cli

outputs = {}
for args in (["lookup", "--help"], ["--version"]):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            cli.main(args, prog_name="cocontroller")
            code = 0
        except SystemExit as exit:
            code = exit.code or 0
    outputs[" ".join(args)] = {"code": code, "stdout": out.getvalue()}
print(json.dumps({"outputs": outputs, "modules": sorted(sys.modules)}))
"""


def test_help_and_version_import_nothing_of_the_server(tmp_path):
    done = subprocess.run(
        [sys.executable, "-I", "-c", PROGRAM],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])

    lookup_help = report["outputs"]["lookup --help"]
    assert lookup_help["code"] == 0 and "--postcode" in lookup_help["stdout"], lookup_help
    version_out = report["outputs"]["--version"]
    assert version_out["code"] == 0 and version("cocontroller") in version_out["stdout"], version_out

    imported = [
        name for name in report["modules"]
        if any(name == m or name.startswith(m + ".") for m in SERVER_ONLY)
    ]
    assert not imported, f"the client CLI imported server-only modules: {imported}"
