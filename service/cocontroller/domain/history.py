"""Contact history: the events a customer had with the network, and the score that says which
dealer the customer deals with most ("op basis van de geschiedenis van uw contacten met ons
netwerk", policy section 1).

Each contact inside the window counts its kind's weight, halved every `half_life_days`.
"""

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Contact, ContactKind

@dataclass(frozen=True)
class HistoryParameters:
    window_days: int
    half_life_days: float
    weights: dict[str, float]

    @classmethod
    def from_pack(cls, parameters: dict) -> "HistoryParameters":
        history = parameters["history"]
        weights = {kind: float(history["weights"][kind]) for kind in ContactKind}
        return cls(int(history["window_days"]), float(history["half_life_days"]), weights)


@dataclass(frozen=True)
class DealerScore:
    dealer_id: str
    score: float
    contacts: int
    last_contact_at: dt.datetime


def score_dealers(
    contacts: Iterable[Contact], at: dt.datetime, parameters: HistoryParameters
) -> list[DealerScore]:
    """Scores per dealer from the contacts up to `at`, best first. Ties go to the dealer
    contacted most recently, then to the lower dealer id, so the order is deterministic."""
    since = at - dt.timedelta(days=parameters.window_days)
    totals: dict[str, list] = {}
    for contact in contacts:
        if contact.dealer_id is None or not since <= contact.occurred_at <= at:
            continue  # a lead for the brand is no contact with a dealer
        age_days = (at - contact.occurred_at).total_seconds() / 86400
        weight = parameters.weights[contact.kind] * math.pow(
            0.5, age_days / parameters.half_life_days
        )
        entry = totals.setdefault(contact.dealer_id, [0.0, 0, contact.occurred_at])
        entry[0] += weight
        entry[1] += 1
        entry[2] = max(entry[2], contact.occurred_at)
    scores = [DealerScore(d, round(s, 9), n, last) for d, (s, n, last) in totals.items()]
    scores.sort(key=lambda s: (-s.score, -s.last_contact_at.timestamp(), s.dealer_id))
    return scores
