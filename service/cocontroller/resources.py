"""Where the shipped runtime data lies: the rule packs (the repository's rules/, shipped as
`cocontroller.packs`) and the geodata (geodata/, shipped as `cocontroller.data`). Settings
may point elsewhere; these are the defaults."""

from importlib.resources import as_file, files
from pathlib import Path

ASSIGNMENT_PACK = Path("assignment") / "assignment.yaml"
PRIVACY_PACK = Path("privacy") / "privacy.yaml"


def _directory(package: str) -> Path:
    # An installed wheel or an editable install puts the files on the file system; a pack
    # includes its part files by relative path, so a real directory is needed.
    with as_file(files(package)) as path:
        return Path(path)


def packs_dir() -> Path:
    return _directory("cocontroller.packs")


def data_dir() -> Path:
    return _directory("cocontroller.data")
