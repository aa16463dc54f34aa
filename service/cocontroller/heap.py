"""The objects a server builds at start kept out of the garbage collector's full passes.

A full collection (generation 2) walks every tracked object: in the serving process and in
the writes' process (api/apart.py) that is mostly what start built, the compiled packs, the
geodata and the network, and it took 40-80 ms with the event loop or a write stopped behind
it, a few times a minute under load (docs/performance.md). Frozen, those objects are left
out of every collection: they are still freed when nothing refers to them, but a reference
cycle among them is never collected, so what a pack reload leaves behind in cycles stays.
"""

import gc


def settle() -> None:
    """Collects what start left, then freezes everything alive now."""
    gc.collect()
    gc.freeze()
