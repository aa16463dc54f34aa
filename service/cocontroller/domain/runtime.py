"""What every decision reads besides the store: the two compiled rule packs and the dealer
network. They form one immutable value, replaced as a whole on reload, so a call never sees
a new assignment pack beside an old privacy pack or an old network."""

from dataclasses import dataclass

from ..rules.pack import CompiledPack
from .network import Network


@dataclass(frozen=True)
class Runtime:
    assignment: CompiledPack
    privacy: CompiledPack
    network: Network
    # What the store said about the network when it was read: a change shows as a new stamp.
    network_stamp: tuple[int | None, int, int]
