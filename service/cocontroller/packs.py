"""Loaded rule packs and their hot swap.

A `PackSlot` holds the compiled version of one pack in use. Reloading compiles the new file
under a new ruleset name and then replaces the slot's reference in one assignment: a call
that already read the old `CompiledPack` finishes on it, and a pack that fails to load
leaves the slot as it was.
"""

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .engine import RuleEngine, Ruleset
from .rulepack import RulePack, load_pack


@dataclass(frozen=True)
class CompiledPack:
    pack: RulePack
    ruleset: Ruleset

    @property
    def version(self) -> str:
        return self.pack.qualified_version


class PackSlot:
    def __init__(
        self,
        engine: RuleEngine,
        path: Path,
        extra_fields: dict[str, Callable[[Any], Any]],
        check: Callable[[RulePack], None] | None = None,
    ):
        self.engine = engine
        self.path = Path(path)
        self._extra_fields = extra_fields
        self._check = check
        self._reload_lock = threading.Lock()
        self.current = self._compile(self.path)

    def reload(self, path: Path | None = None) -> CompiledPack:
        """Loads the pack file again (or another file) and swaps it in. Raises RulePackError
        and keeps the current version when the file is invalid."""
        with self._reload_lock:
            compiled = self.prepare(path)
            self.current = compiled
            return compiled

    def prepare(self, path: Path | None = None) -> CompiledPack:
        """Compiles the pack file (or another file) without swapping it in."""
        return self._compile(Path(path) if path else self.path)

    def _compile(self, path: Path) -> CompiledPack:
        pack = load_pack(path, self._extra_fields)
        if self._check:
            self._check(pack)
        return CompiledPack(pack, self.engine.compile(pack.qualified_version, pack.conditions()))
