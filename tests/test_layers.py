"""The import contracts of pyproject.toml's [tool.importlinter]: the server's layers (admin >
api | bootstrap > usecases > store > domain > rules), stdlib-only leaf modules, gRPC and the
generated code kept to the API layer, and a client that imports nothing of the server's
layers or dependencies. Failing here prints import-linter's report: which import, and the
chain that makes it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.exists(), f"{lint_imports} missing: make install (import-linter is a dev extra)"
    done = subprocess.run(
        [str(lint_imports), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, f"import contracts broken:\n{done.stdout}\n{done.stderr}"
