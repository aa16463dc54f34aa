"""Every case kept beside a shipped rule pack (`<pack>_test.yaml`) is one test item, named
after its pack and case, so a broken rule fails under the case that caught it."""

import functools

import pytest
from cocontroller.model import CaseResult
from cocontroller.resources import packs_dir
from cocontroller.rules.cases import CaseRunner, PackCase, load_cases
from cocontroller.usecases.packs import load_packs

PACKS = {pack.name: pack for pack in load_packs(packs_dir())}
CASES = [(name, case) for name, pack in PACKS.items() for case in load_cases(pack)]


@functools.cache
def runner(pack_name: str) -> CaseRunner:
    """One compiled ruleset per pack for all of its cases."""
    return CaseRunner(PACKS[pack_name])


@pytest.mark.parametrize(("pack_name", "case"), CASES, ids=[f"{name}:{case.name}" for name, case in CASES])
def test_pack_case(pack_name: str, case: PackCase):
    result: CaseResult = runner(pack_name).run(case)
    assert result.got == result.expected, f"{case.name} (cites: {case.cites})"


def test_every_shipped_pack_has_cases():
    assert {name for name, _ in CASES} == {"assignment", "privacy"}
