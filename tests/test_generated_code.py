"""The committed protobuf and gRPC code in service/cocontroller/v1/ is what `make proto` makes
from proto/ with the pinned grpcio-tools: a .proto edited without `make proto` (or generated
code edited by hand) fails here."""

import os
import subprocess
import sys
from pathlib import Path

import google.type

ROOT = Path(__file__).resolve().parents[1]
PROTO_DIR = ROOT / "proto"
COMMITTED = ROOT / "service" / "cocontroller" / "v1"
SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def _generated(directory: Path) -> dict[str, bytes]:
    return {
        path.name: path.read_bytes()
        for path in sorted(directory.iterdir())
        if path.name.endswith(SUFFIXES)
    }


def test_committed_code_is_what_make_proto_generates(tmp_path):
    protos = sorted(PROTO_DIR.glob("cocontroller/v1/*.proto"))
    assert protos, "no .proto files under proto/cocontroller/v1"
    # the same command as the Makefile's `proto` target: google/type/*.proto come from
    # googleapis-common-protos' site-packages folder, google/protobuf/*.proto from grpc_tools
    googleapis = os.path.dirname(os.path.dirname(google.type.__path__[0]))
    command = [
        sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTO_DIR}", f"-I{googleapis}",
        f"--python_out={tmp_path}", f"--pyi_out={tmp_path}", f"--grpc_python_out={tmp_path}",
        *(str(p.relative_to(PROTO_DIR)) for p in protos),
    ]
    done = subprocess.run(command, cwd=PROTO_DIR, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr

    fresh = _generated(tmp_path / "cocontroller" / "v1")
    committed = _generated(COMMITTED)
    assert sorted(fresh) == sorted(committed), (
        "generated files differ from the committed ones: run `make proto` and commit the result"
    )
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"{stale} are stale: run `make proto` and commit the result"
