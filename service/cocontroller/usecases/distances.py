"""Distances computed ahead: from every postcode's point to every place where an assignable
dealer of the network is, was or will be. The nearest dealers and the distances an assignment
shows are then looked up from a server's first call on. Computed as calls come, a started
server's first thousands of calls each paid a few geodesics in pure Python on its one
serving thread (~80 µs each; the demo network's 22 dealers and 1,150 postcodes make 25,300
pairs): a lead cost 8.5 % fewer instructions after 3,000 leads with them computed ahead
(docs/performance.md)."""

from ..domain.geo import Pair, computed_ahead
from ..domain.network import Network
from ..domain.postcodes import PostcodeDirectory


def pairs_ahead(postcodes: PostcodeDirectory, network: Network) -> list[Pair]:
    """The (postcode point, dealer place) pairs of `network` not computed ahead yet: all of
    them at a server's start, a new place's after a dealer opens or moves."""
    points = sorted({(pc.lat, pc.lon) for pc in postcodes})  # a few postcodes share a point
    places = sorted({(v.lat, v.lon) for v in network.versions if network.eligible(v)})
    return [pair for point in points for place in places if not computed_ahead(pair := point + place)]
