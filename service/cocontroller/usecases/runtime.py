"""The runtime in use and its atomic replacement.

A reload compiles both packs and reads the network, and only then replaces the one reference
the use cases read: a call that already holds the old runtime finishes on it, and a pack that
fails to load leaves the running one in place. A pack serves only once its own cases pass on
the very ruleset it will serve with, and only if its version never served with other content
(stored answers cite the version, so one version must always mean the same rules). Another process (a batch job, a second server)
may change the network in the store; the holder notices by the store's stamp, checked at
most once a second.
"""

import datetime as dt
import os
import tempfile
import threading
import time
from pathlib import Path

from ..domain.assignment import ASSIGNMENT_FIELDS, check_assignment_pack
from ..domain.cache_use import CacheUse
from ..domain.network import Network
from ..domain.resolution import PRIVACY_FIELDS, check_privacy_pack
from ..domain.runtime import Runtime
from ..rules.engine import RuleEngine
from ..errors import RulePackError
from ..rules.cases import cases_digest, check_cases
from ..rules.pack import CompiledPack, RulePack, compile_pack
from ..store.network import NetworkRepository
from ..store.packs import PackVersionRepository

_CHECK_EVERY_S = 1.0
_KNOWN_KEPT = 16
_REPLAYED_KEPT = 8


class RuntimeHolder:
    def __init__(self, engine: RuleEngine, assignment_pack: Path, privacy_pack: Path,
                 network: NetworkRepository, versions: PackVersionRepository):
        self.engine = engine
        self.assignment_pack = Path(assignment_pack)
        self.privacy_pack = Path(privacy_pack)
        self._network = network
        self._versions = versions
        self._tested: set[str] = set()
        self._known: dict[tuple, Network] = {}
        self._lock = threading.Lock()
        # The nearest-dealer answers' use, counted across every network this holder reads.
        self.nearest_use = CacheUse()
        self._current = self._runtime(*self._compile())
        self._served(self._current)
        self._checked = time.monotonic()
        self._replayed: dict[tuple[str, str], CompiledPack] = {}

    @property
    def current(self) -> Runtime:
        """The runtime as it is, without looking at the store."""
        return self._current

    def recent(self) -> Runtime:
        """The runtime, with the network read again if another process changed it (checked
        at most once a second)."""
        if time.monotonic() - self._checked > _CHECK_EVERY_S:
            self._checked = time.monotonic()
            if self._network.stamp() != self._current.network_stamp:
                return self.refresh_network()
        return self._current

    def network_known_at(self, known_at: dt.datetime | None) -> Network:
        """The network as the service knew it at `known_at` (recorded time), for questions
        about what was said then; None: as known now. Networks of past instants are kept by
        their versions, few of which ever differ from today's."""
        runtime = self.recent()
        if known_at is None:
            return runtime.network
        versions = self._network.versions(known_at)
        ids = frozenset(v.version_id for v in versions)
        if ids == runtime.network.version_ids:
            return runtime.network
        key = (runtime.network.eligible_roles, ids)
        with self._lock:
            network = self._known.get(key)
            if network is None:
                if len(self._known) >= _KNOWN_KEPT:
                    self._known.clear()
                network = self._known[key] = Network(versions, runtime.network.eligible_roles, self.nearest_use)
        return network

    def reload_packs(self) -> Runtime:
        """Compiles both packs from their files and reads the network (which roles may be
        assigned is a pack parameter); swaps in all three at once. Raises RulePackError and
        keeps the running runtime when a pack is invalid."""
        assignment, privacy = self._compile()
        with self._lock:
            self._current = self._runtime(assignment, privacy)
        self._served(self._current)
        return self._current

    def packs_known_at(self, known_at: dt.datetime | None) -> tuple[CompiledPack, CompiledPack]:
        """The assignment and privacy packs that served at `known_at`, so an answer as given
        then is given again with the rules of then; None, or a version whose files were not
        kept: the packs serving now. Replayed versions are compiled from the stored files
        (their cases passed when they served) and kept, a few at a time."""
        current = self.recent()
        if known_at is None:
            return current.assignment, current.privacy
        return (self._replay(current.assignment, known_at, ASSIGNMENT_FIELDS, check_assignment_pack),
                self._replay(current.privacy, known_at, PRIVACY_FIELDS, check_privacy_pack))

    def _replay(self, serving: CompiledPack, known_at: dt.datetime, fields, check) -> CompiledPack:
        stored = self._versions.serving_at(serving.pack.name, known_at)
        if stored is None or stored.version == serving.pack.version:
            return serving
        key = (stored.name, stored.version)
        with self._lock:
            compiled = self._replayed.get(key)
        if compiled is None:
            with tempfile.TemporaryDirectory(prefix="cocontroller-pack-") as directory:
                for name, text in stored.files.items():
                    target = Path(directory, name)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
                compiled = compile_pack(self.engine, Path(directory, stored.main), fields, check)
            with self._lock:
                if len(self._replayed) >= _REPLAYED_KEPT:
                    self._replayed.clear()
                self._replayed[key] = compiled
        return compiled

    def _served(self, runtime: Runtime) -> None:
        for compiled in (runtime.assignment, runtime.privacy):
            self._versions.served(compiled.pack.name, compiled.pack.version)

    def refresh_network(self) -> Runtime:
        """Reads the network again, keeping the packs."""
        with self._lock:
            current = self._current
            self._current = self._runtime(current.assignment, current.privacy)
            return self._current

    def _compile(self) -> tuple[CompiledPack, CompiledPack]:
        """Both packs compiled and checked; raises RulePackError."""
        packs = (
            compile_pack(self.engine, self.assignment_pack, ASSIGNMENT_FIELDS, check_assignment_pack),
            compile_pack(self.engine, self.privacy_pack, PRIVACY_FIELDS, check_privacy_pack),
        )
        for compiled in packs:
            # Cases already passed by this content are not run again: the engine decides
            # alike every time, and a reload of unchanged packs stays cheap.
            tested = compiled.pack.content_hash + cases_digest(compiled.pack)
            if tested not in self._tested:
                check_cases(compiled.pack, self.engine, compiled.ruleset)
                self._tested.add(tested)
        for compiled in packs:
            pack = compiled.pack
            if self._versions.record(pack.name, pack.version, pack.content_hash, _files(pack)) != pack.content_hash:
                raise RulePackError(pack.path, None, "version",
                                    f"{pack.qualified_version} has served with other content: "
                                    "a changed pack needs a new version")
        return packs

    def _runtime(self, assignment: CompiledPack, privacy: CompiledPack) -> Runtime:
        roles = tuple(assignment.pack.parameters["eligible_roles"])
        stamp = self._network.stamp()
        network = Network(self._network.versions(), roles, self.nearest_use)
        return Runtime(assignment, privacy, network, stamp)


def _files(pack: RulePack) -> dict:
    """The pack's files by name relative to the folder that holds them all (the main file,
    the pack it extends, every part a rule comes from): what replaying the version needs."""
    paths = {pack.path, *pack.files, *(rule.source for rule in pack.rules)}
    root = Path(os.path.commonpath([p.parent for p in paths]))
    return {"main": pack.path.relative_to(root).as_posix(),
            "files": {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8") for path in paths}}
