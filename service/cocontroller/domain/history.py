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
    # Names bound once: a batch job scores a million customers' 3.4 million contacts.
    weights, half_life, power = parameters.weights, parameters.half_life_days, math.pow
    totals: dict[str, list] = {}
    for contact in contacts:
        dealer_id, occurred = contact.dealer_id, contact.occurred_at
        if dealer_id is None or not since <= occurred <= at:
            continue  # a lead for the brand is no contact with a dealer
        age_days = (at - occurred).total_seconds() / 86400
        weight = weights[contact.kind] * power(0.5, age_days / half_life)
        entry = totals.get(dealer_id)
        if entry is None:
            totals[dealer_id] = [weight, 1, occurred]
        else:
            entry[0] += weight
            entry[1] += 1
            if occurred > entry[2]:
                entry[2] = occurred
    scores = [DealerScore(d, round(s, 9), n, last) for d, (s, n, last) in totals.items()]
    scores.sort(key=lambda s: (-s.score, -s.last_contact_at.timestamp(), s.dealer_id))
    return scores
