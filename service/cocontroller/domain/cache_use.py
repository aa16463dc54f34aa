"""How often a cache answered: plain counters on the object that owns the cache, read by
the API layer's metrics at scrape time, so the core knows nothing of Prometheus."""


class CacheUse:
    """Hits and misses since the process started. Increments are not locked: a count lost
    to a thread race costs a metric nothing, a lock would cost every lookup."""

    __slots__ = ("hits", "misses")

    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0
