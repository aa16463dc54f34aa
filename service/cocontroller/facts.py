"""The recorded facts that controller resolution reads: consents per channel, contracts and
disputes (policy sections 2, 3 and 4). They come from stored history, never from the caller
of a resolution."""

import datetime as dt
from dataclasses import dataclass

CHANNELS = ("email", "sms", "phone", "post", "social")
CONTRACT_KINDS = ("purchase", "lease", "financing", "insurance", "maintenance")
# Section 2: insurance "via Car Security, Leuvensesteenweg 369, 1932 Zaventem".
CAR_SECURITY = "Car Security SA"


@dataclass(frozen=True)
class Consent:
    id: int
    customer_id: str
    channel: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None = None

    def in_force(self, at: dt.datetime) -> bool:
        return self.given_at <= at and (self.withdrawn_at is None or self.withdrawn_at > at)


@dataclass(frozen=True)
class Contract:
    id: str
    customer_id: str
    kind: str
    partner: str
    dealer_id: str | None
    start_date: dt.date
    end_date: dt.date | None = None

    def in_force(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    @property
    def through_car_security(self) -> bool:
        return self.kind == "insurance" and "car security" in self.partner.lower()


@dataclass(frozen=True)
class Dispute:
    id: int
    customer_id: str
    subject: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None = None

    def open_at(self, at: dt.datetime) -> bool:
        return self.opened_at <= at and (self.closed_at is None or self.closed_at > at)
