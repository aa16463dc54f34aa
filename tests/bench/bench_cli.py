"""Cold start of the installed `cocontroller` console script.

Every run is a fresh process (a cold interpreter; the OS file cache is warm after the warm-up
run), timed from spawn to exit. Beside the CLI, the same for `python -c pass` and
`python -c "import grpc"`: what no CLI built on this interpreter and on gRPC can beat. Then
`python -X importtime` (PYTHONPROFILEIMPORTTIME) on `cocontroller lookup --help` names the
imports that cost the most, and any server-only module the client should not have loaded.

Usage: python tests/bench/bench_cli.py [RUNS]   (about 10 s with the default 10 runs)
"""

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
TARGET_S = 0.3
TIMEOUT_S = 20
# modules only the server needs: a client command that imports one pays for it
SERVER_ONLY = (
    "durable", "durable_rules_engine", "shapely", "numpy", "sqlite_utils", "geopy",
    "geographiclib", "yaml", "cocontroller.admin", "cocontroller.api", "cocontroller.bootstrap",
    "cocontroller.usecases", "cocontroller.store", "cocontroller.domain", "cocontroller.rules",
)


def console_script() -> str:
    beside = Path(sys.executable).parent / "cocontroller"
    if beside.exists():
        return str(beside)
    found = shutil.which("cocontroller")
    if not found:
        sys.exit("no `cocontroller` console script beside this python or on PATH: make install")
    return found


def run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, env=env)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    return done


def timings(command: list[str]) -> list[float]:
    run(command)  # warm-up: the OS file cache, the bytecode caches
    seconds = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run(command)
        seconds.append(time.perf_counter() - start)
    return seconds


def import_times(command: list[str]) -> list[tuple[int, int, str]]:
    """(cumulative µs, nesting depth, module) for every import `command` made."""
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1")
    rows = []
    for line in run(command, env).stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        _self, cumulative, name = line[len("import time:"):].split("|", 2)
        depth = (len(name) - len(name.lstrip())) // 2
        rows.append((int(cumulative), depth, name.strip()))
    return rows


def main() -> None:
    cli = console_script()
    commands = [
        ("cocontroller lookup --help", [cli, "lookup", "--help"]),
        ("cocontroller --version", [cli, "--version"]),
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ('python -c "import grpc"', [sys.executable, "-c", "import grpc"]),
    ]
    began = time.perf_counter()
    print(f"CLI cold start: {cli}, {RUNS} fresh processes each after 1 warm-up")
    print(f"  {'command':<30} {'median s':>9} {'max s':>7}")
    medians = {}
    for label, command in commands:
        seconds = timings(command)
        medians[label] = statistics.median(seconds)
        note = "   (reference: no CLI can beat it)" if label.startswith("python") else ""
        print(f"  {label:<30} {medians[label]:>9.3f} {max(seconds):>7.3f}{note}")

    lookup = medians["cocontroller lookup --help"]
    verdict = "MET" if lookup < TARGET_S else "NOT MET"
    print(f"cold `cocontroller lookup --help` < {TARGET_S} s: {verdict} (median {lookup:.3f} s)")

    rows = import_times([cli, "lookup", "--help"])
    print("heaviest imports of `cocontroller lookup --help` (cumulative, python -X importtime):")
    for cumulative, depth, name in sorted(rows, reverse=True)[:5]:
        print(f"  {cumulative / 1000:>8.1f} ms  {'  ' * depth}{name}")
    server_only = sorted(
        {name for _, _, name in rows if any(name == m or name.startswith(m + ".") for m in SERVER_ONLY)}
    )
    print(f"server-only modules imported: {', '.join(server_only) if server_only else 'none'}")
    print(f"({time.perf_counter() - began:.1f} s)")


if __name__ == "__main__":
    main()
