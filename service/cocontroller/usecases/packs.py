"""The rule packs: which versions serve, reloading them without a restart, and checking a
rules directory (its packs load, and their cases pass) before it is deployed."""

import datetime as dt
import logging
from pathlib import Path

from ..domain.arrangement import arrangement
from ..domain.assignment import ASSIGNMENT_FIELDS, check_assignment_pack
from ..domain.fides import fides_system
from ..domain.resolution import PRIVACY_FIELDS, check_privacy_pack
from ..domain.ropa import ropa
from ..errors import RulePackError
from ..logs import event
from ..model import Arrangement, CaseResult, FidesSystem, Language, PackInfo, Page, PageRequest, Ropa
from ..resources import ASSIGNMENT_PACK, PRIVACY_PACK
from ..rules.cases import run_cases
from ..rules.engine import RuleEngine
from ..rules.pack import CompiledPack, RulePack, load_pack
from ..store import PACKS_CHANGED, Store
from .runtime import RuntimeHolder


log = logging.getLogger(__name__)


class PackService:
    def __init__(self, runtime: RuntimeHolder, store: Store):
        self.runtime = runtime
        self.store = store

    def in_use(self, page: PageRequest | None = None) -> Page[PackInfo]:
        """The packs serving now, by name (the cursor is the last name)."""
        runtime = self.runtime.current
        packs = sorted((_info(c) for c in (runtime.assignment, runtime.privacy)), key=lambda p: p.name)
        if page is None:
            return Page(tuple(packs))
        after = [p for p in packs if p.name > page.after]
        if len(after) > page.size:
            return Page(tuple(after[:page.size]), after[page.size - 1].name)
        return Page(tuple(after))

    def reload(self) -> list[PackInfo]:
        """Both packs and the network, swapped in together; raises RulePackError and keeps
        the running versions when a pack is invalid."""
        try:
            runtime = self.runtime.reload_packs()
        except RulePackError as e:
            event(log, "rules.reload_refused", logging.ERROR, problem=str(e))
            raise
        packs = [_info(c) for c in (runtime.assignment, runtime.privacy)]
        event(log, "rules.reloaded", packs=", ".join(f"{p.name}@{p.version}" for p in packs))
        # Every other server on the database reloads too (api/operations.py).
        self.store.notify(PACKS_CHANGED)
        return packs

    def reload_heard(self) -> None:
        """Another server on the database reloaded its packs: this one reloads its own
        files (the same release, on every replica), or keeps serving and logs why not."""
        try:
            runtime = self.runtime.reload_packs()
        except RulePackError as e:
            event(log, "rules.reload_refused", logging.ERROR, problem=str(e))
            return
        event(log, "rules.reloaded", packs=", ".join(
            f"{c.pack.name}@{c.pack.version}" for c in (runtime.assignment, runtime.privacy)))


def load_packs(rules_dir: Path) -> list[RulePack]:
    """The packs of a rules directory, loaded and checked; raises RulePackError."""
    packs = []
    for path, fields, check in (
        (rules_dir / ASSIGNMENT_PACK, ASSIGNMENT_FIELDS, check_assignment_pack),
        (rules_dir / PRIVACY_PACK, PRIVACY_FIELDS, check_privacy_pack),
    ):
        pack = load_pack(path, fields)
        check(pack)
        packs.append(pack)
    return packs


def check_packs(rules_dir: Path) -> list[PackInfo]:
    return [PackInfo(p.name, p.version, str(p.path), len(p.rules)) for p in load_packs(rules_dir)]


def arrangement_of(rules_dir: Path, language: Language, day: dt.date) -> Arrangement:
    """The joint-controller arrangement the privacy pack of `rules_dir` states on `day`."""
    return arrangement(_privacy_pack(rules_dir), language, day)


def ropa_of(rules_dir: Path, language: Language, day: dt.date) -> Ropa:
    """The record of processing (GDPR art. 30) the privacy pack of `rules_dir` states on `day`."""
    return ropa(_privacy_pack(rules_dir), language, day)


def fides_system_of(rules_dir: Path, language: Language, day: dt.date) -> FidesSystem:
    """That record as a Fides system manifest."""
    return fides_system(_privacy_pack(rules_dir), language, day)


def _privacy_pack(rules_dir: Path) -> RulePack:
    """The privacy pack of `rules_dir`, loaded and checked; raises RulePackError."""
    pack = load_pack(rules_dir / PRIVACY_PACK, PRIVACY_FIELDS)
    check_privacy_pack(pack)
    return pack


def run_pack_cases(rules_dir: Path) -> list[CaseResult]:
    engine = RuleEngine()
    return [result for pack in load_packs(rules_dir) for result in run_cases(pack, engine)]


def _info(compiled: CompiledPack) -> PackInfo:
    pack = compiled.pack
    return PackInfo(pack.name, pack.version, str(pack.path), len(pack.rules))
