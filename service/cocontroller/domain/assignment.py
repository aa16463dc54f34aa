"""Dealer assignment: which authorised distributor is a customer's joint controller.

Python gathers one candidate per basis from the stored history (skipping, with the reason,
every dealer not active on the decision day) and the rule pack, run on durable-rules,
decides between them.
"""

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from .. import clock
from ..errors import FailedPrecondition, RulePackError
from ..model import (
    Basis, Candidate, Contact, ContactKind, Decision, DealerVersion, Language, Postcode, Preference, Skipped,
    in_language,
)
from ..rules.engine import RuleEngine
from ..rules.pack import CompiledPack, TextError, day_number, texts
from .cache_use import CacheUse
from .geo import geodesic_km
from .history import HistoryParameters, score_dealers
from .network import Network
from .postcodes import area_language, municipality_name


def _basis(value):
    try:
        return Basis(value)
    except ValueError:
        raise ValueError(f"must be one of {', '.join(Basis)}") from None


def _explanation(value):
    """One template per language (nl, fr, de, en): a decision is explained in its subject's."""
    return texts(value)


ASSIGNMENT_FIELDS = {"basis": _basis, "explanation": _explanation}

# What an explanation may name, by the basis of its rule: what `Assigner.decide` knows of
# every decision on that basis, each with a sample of its type, so that the templates are
# tried at load in every language (names, attributes and format specs) instead of failing a
# decision. `origin` is a postcode, or None for the customer's own coordinates; days and
# numbers are written as the language writes them (see `explanation_fields`).
_ALWAYS = {"origin": None, "distance_km": 1.5}
TEMPLATE_FIELDS = {
    Basis.PURCHASE: {**_ALWAYS, "purchase_on": dt.date(2020, 4, 13)},
    Basis.PREFERRED: {**_ALWAYS, "preferred_on": dt.date(2020, 4, 13)},
    Basis.HISTORY: {**_ALWAYS, "history_score": 1.5, "history_contacts": 2,
                    "history_last_on": dt.date(2020, 4, 13)},
    Basis.NEAREST: dict(_ALWAYS),
}


class _Decimal(float):
    """A number written with a decimal comma (nl, fr, de: "2,5 km"), whatever its format spec."""

    def __format__(self, spec: str) -> str:
        return float.__format__(self, spec).translate(_COMMA)


_COMMA = str.maketrans(".,", ",.")


def _day(day: dt.date, language: str) -> str:
    """A day as the language writes it: 13/04/2020 (nl, fr, as the policy does), 13.04.2020
    (de), 2020-04-13 (en: unambiguous for a reader of any country)."""
    if language == Language.EN:
        return day.isoformat()
    mark = "." if language == Language.DE else "/"
    return f"{day.day:02d}{mark}{day.month:02d}{mark}{day.year}"


def explanation_fields(details: dict, language: str, coordinates: dict[str, str]) -> dict:
    """The fields an explanation template names, written in `language`: the origin as
    "postcode municipality" with the municipality's name in that language (Namur in French,
    Namen in Dutch), or the pack's phrase for the customer's coordinates; days and decimals
    as the language writes them."""
    fields = {}
    for name, value in details.items():
        if name == "origin":
            value = (in_language(coordinates, language) if value is None
                     else f"{value.postcode} {municipality_name(value, language)}")
        elif isinstance(value, dt.date):
            value = _day(value, language)
        elif isinstance(value, float) and language != Language.EN:
            value = _Decimal(value)
        fields[name] = value
    return fields


def explain(templates: dict[str, str], details: dict, language: str, parameters: dict) -> str:
    """A decision's explanation in `language`, from its rule's templates."""
    fields = explanation_fields(details, language, parameters["coordinates_origin"])
    return in_language(templates, language).format(**fields)


def check_assignment_pack(pack) -> None:
    """The parameters the assigner reads must be present and sane, and every explanation
    must render, in every language, from the fields its basis provides."""
    try:
        HistoryParameters.from_pack(pack.parameters)
        roles = pack.parameters["eligible_roles"]
        runners_up = pack.parameters["runners_up"]
    except (KeyError, TypeError, ValueError) as e:
        raise RulePackError(pack.path, None, "parameters", f"incomplete: {e!r}") from e
    if not roles or not isinstance(runners_up, int) or runners_up < 0:
        raise RulePackError(pack.path, None, "parameters", "eligible_roles and runners_up")
    try:
        coordinates = texts(pack.parameters.get("coordinates_origin"), "coordinates_origin")
    except TextError as e:
        raise RulePackError(pack.path, None, f"parameters.{e.where}", str(e)) from None
    for rule in pack.rules:
        fields = TEMPLATE_FIELDS[rule.extra["basis"]]
        for language, template in rule.extra["explanation"].items():
            try:
                template.format(**explanation_fields(fields, language, coordinates))
            except (KeyError, IndexError, AttributeError, ValueError) as e:
                raise RulePackError(
                    rule.source, rule.id, f"explanation.{language}",
                    f"does not render ({type(e).__name__}: {e}); a {rule.extra['basis']} rule may name "
                    + ", ".join("{" + name + "}" for name in fields),
                ) from None


@dataclass(frozen=True)
class Subject:
    """Whom the decision is for: a stored customer, or just a postcode and point. `language`
    is the language the decision is explained in: the customer's; for a place (None), the
    postcode's language area (Brussels: French)."""

    postcode: Postcode
    point: tuple[float, float] | None = None
    customer_id: str | None = None
    language: Language | None = None


_PURCHASE = ContactKind.PURCHASE


def _place_key(subject: Subject, at: dt.datetime, day: dt.date, language: Language, contacts: Sequence[Contact],
               preference: Preference | None) -> tuple | None:
    """The key of a subject whose facts name no dealer (no purchase, no preference in force,
    no contact with a dealer), whose decision depends on its place, day and language alone;
    None for any other."""
    if (preference is None or not preference.in_force(at)) and all(
            c.dealer_id is None and c.kind != _PURCHASE for c in contacts):
        return subject.point, subject.postcode.postcode, day, language
    return None


@dataclass
class _Weighed:
    """What a decision is made of: the rules' choice among the candidates, and what its
    explanation and runners-up are drawn from."""

    dealer: DealerVersion
    basis: Basis
    rule_key: str
    explanation: dict[str, str]  # the rule's template by language
    point: tuple[float, float]
    point_source: str
    details: dict  # what the template may name (TEMPLATE_FIELDS)
    candidates: dict[Basis, tuple[DealerVersion, float]]
    nearest: list[tuple[DealerVersion, float]]
    skipped: list[Skipped]


class Assigner:
    _MEMO_SIZE = 4096
    # Places (point, postcode, day, language) whose decision is kept.
    _PLACES_KEPT = 4096
    # The bases in their order, without iterating the enum class on every decision.
    _BASES = tuple(Basis)

    def __init__(self, engine: RuleEngine):
        self.engine = engine
        self._memo: dict[tuple, str | None] = {}
        self.memo_use = CacheUse()
        self._history: tuple[CompiledPack, HistoryParameters] | None = None
        # Decisions of subjects with no dealer among their facts, by place: see decide.
        self._places: dict[tuple, tuple[CompiledPack, Network, Decision]] = {}
        self.places_use = CacheUse()

    def decide(
        self,
        compiled: CompiledPack,
        network: Network,
        subject: Subject,
        at: dt.datetime,
        contacts: Sequence[Contact] = (),
        preference: Preference | None = None,
    ) -> Decision:
        """The decision for the moment `at` under the assignment pack `compiled`: contacts
        after it and dealers not active on its day are left out.

        A subject whose facts name no dealer (no purchase, no preference in force, no
        contact with a dealer: a new customer's lead for the brand, a place) has the nearest
        dealer as its only candidate, so its decision depends on the place, the day and the
        language alone. It is kept per place for the pack and network it was made with, and
        shared with every such subject there (its explanation is written once)."""
        day = clock.day_of(at)
        language = subject.language or area_language(subject.postcode)
        key = _place_key(subject, at, day, language, contacts, preference)
        if key is None:
            return self._decide(compiled, network, subject, at, day, language, contacts, preference)
        kept = self._kept_place(key, compiled, network)
        if kept is not None:
            self.places_use.hits += 1
            return kept
        self.places_use.misses += 1
        decision = self._decide(compiled, network, subject, at, day, language, contacts, preference)
        if len(self._places) >= self._PLACES_KEPT:
            self._places.clear()
        self._places[key] = (compiled, network, decision)
        return decision

    def choose(
        self,
        compiled: CompiledPack,
        network: Network,
        subject: Subject,
        at: dt.datetime,
        contacts: Sequence[Contact] = (),
        preference: Preference | None = None,
    ) -> tuple[str, Basis]:
        """The dealer id and basis `decide` gives, without what only a decision's explanation
        needs: the runners-up and the distances. A job compares them with the assignment in
        force and decides in full only the customers who change. The nearest search then asks
        for one dealer, not 1 + runners_up: a customer with coordinates of their own costs
        about one geodesic, not four (the rules see no distance, so the outcome is the
        same)."""
        day = clock.day_of(at)
        language = subject.language or area_language(subject.postcode)
        key = _place_key(subject, at, day, language, contacts, preference)
        kept = self._kept_place(key, compiled, network) if key is not None else None
        if kept is not None:
            return kept.dealer.dealer_id, kept.basis
        weighed = self._weigh(compiled, network, subject, at, day, language, contacts, preference, 1)
        return weighed.dealer.dealer_id, weighed.basis

    def _kept_place(self, key: tuple, compiled: CompiledPack, network: Network) -> Decision | None:
        kept = self._places.get(key)
        return kept[2] if kept is not None and kept[0] is compiled and kept[1] is network else None

    def _decide(self, compiled: CompiledPack, network: Network, subject: Subject, at: dt.datetime, day: dt.date,
                language: Language, contacts: Sequence[Contact], preference: Preference | None) -> Decision:
        parameters = compiled.pack.parameters
        w = self._weigh(compiled, network, subject, at, day, language, contacts, preference,
                        1 + parameters["runners_up"])
        distance = self._distance(w.point, w.dealer, w.nearest)
        w.details["distance_km"] = distance
        runners_up = self._runners_up(w.point, w.dealer, w.basis, w.candidates, w.nearest)
        runners_up = runners_up[: parameters["runners_up"]]
        return Decision(
            dealer=w.dealer,
            basis=w.basis,
            rule_id=w.rule_key,
            explain=functools.partial(explain, w.explanation, w.details, language, parameters),
            distance_km=distance,
            point=w.point,
            point_source=w.point_source,
            rules_version=compiled.version,
            decision_date=day,
            runners_up=runners_up,
            skipped=tuple(w.skipped),
        )

    def _weigh(self, compiled: CompiledPack, network: Network, subject: Subject, at: dt.datetime, day: dt.date,
               language: Language, contacts: Sequence[Contact], preference: Preference | None,
               nearest_k: int) -> "_Weighed":
        """One candidate per basis, the `nearest_k` nearest dealers, and the rules' choice."""
        # The origin is written out in the explanation's language (explanation_fields): the
        # postcode, or None for the customer's own coordinates.
        if subject.point:
            point, origin = subject.point, None
            point_source = "customer coordinates"
        else:
            pc = subject.postcode
            point, origin = (pc.lat, pc.lon), pc
            point_source = f"postcode {pc.postcode}"
        skipped: list[Skipped] = []
        facts = {
            "has_purchase": False, "purchase_at": 0, "purchase_age_days": 0,
            "has_preferred": False, "preferred_at": 0, "history_score": 0.0,
            "has_nearest": False, "day": day_number(day),
        }
        details: dict = {"origin": origin}
        candidates: dict[Basis, tuple[DealerVersion, float]] = {}

        purchases = sorted(
            (c for c in contacts if c.kind == _PURCHASE and c.occurred_at <= at),
            key=lambda c: (c.occurred_at, c.event_id),
            reverse=True,
        )
        for purchase in purchases:
            dealer = self._assignable(network, purchase.dealer_id, day, Basis.PURCHASE, skipped, language)
            if dealer:
                facts.update(
                    has_purchase=True,
                    purchase_at=int(purchase.occurred_at.timestamp()),
                    purchase_age_days=(at - purchase.occurred_at).days,
                )
                details["purchase_on"] = clock.day_of(purchase.occurred_at)
                candidates[Basis.PURCHASE] = (dealer, 0.0)
                break

        if preference and preference.in_force(at):
            dealer = self._assignable(network, preference.dealer_id, day, Basis.PREFERRED, skipped, language)
            if dealer:
                facts.update(has_preferred=True, preferred_at=int(preference.designated_at.timestamp()))
                details["preferred_on"] = clock.day_of(preference.designated_at)
                candidates[Basis.PREFERRED] = (dealer, 0.0)

        for score in score_dealers(contacts, at, self._history_parameters(compiled)):
            dealer = self._assignable(network, score.dealer_id, day, Basis.HISTORY, skipped, language)
            if dealer:
                facts["history_score"] = score.score
                details.update(
                    history_score=score.score,
                    history_contacts=score.contacts,
                    history_last_on=clock.day_of(score.last_contact_at),
                )
                candidates[Basis.HISTORY] = (dealer, score.score)
                break

        nearest = network.nearest(point[0], point[1], day, nearest_k)
        if nearest:
            facts["has_nearest"] = True
            candidates[Basis.NEAREST] = (nearest[0][0], 0.0)

        rule_key = self._first_match(compiled, facts)
        if rule_key is None:
            raise FailedPrecondition(f"no authorised distributor is active on {day}")
        rule = compiled.pack.rule(rule_key)
        basis = rule.extra["basis"]
        dealer = candidates[basis][0]
        return _Weighed(dealer, basis, rule_key, rule.extra["explanation"], point, point_source, details, candidates,
                        nearest, skipped)

    def _history_parameters(self, compiled: CompiledPack) -> HistoryParameters:
        """Read from the pack once per compiled version, not once per decision."""
        cached = self._history
        if cached is None or cached[0] is not compiled:
            cached = self._history = (compiled, HistoryParameters.from_pack(compiled.pack.parameters))
        return cached[1]

    def _first_match(self, compiled: CompiledPack, facts: dict) -> str | None:
        """The engine's decision. Facts its rules cannot tell apart (the same outcome of
        every comparison they make: rules/signature.py) get the engine's earlier answer for
        the same ruleset; without that key, identical facts do."""
        ruleset = compiled.ruleset
        outcomes = ruleset.facts_key(facts) if ruleset.facts_key is not None else None
        key = (ruleset.name, *facts.values()) if outcomes is None else (ruleset.name, outcomes)
        if key in self._memo:
            self.memo_use.hits += 1
            return self._memo[key]
        self.memo_use.misses += 1
        rule_key = self.engine.first_match(compiled.ruleset, facts)
        if len(self._memo) >= self._MEMO_SIZE:
            self._memo.clear()
        self._memo[key] = rule_key
        return rule_key

    @staticmethod
    def _assignable(network, dealer_id, day, basis, skipped, language) -> DealerVersion | None:
        version = network.version_on(dealer_id, day)
        if version and network.eligible(version):
            return version
        skipped.append(Skipped(dealer_id, basis, network.inactive_reason(dealer_id, day, language)))
        return None

    @staticmethod
    def _distance(point, dealer, nearest) -> float:
        for version, km in nearest:
            if version.dealer_id == dealer.dealer_id:
                return km
        return geodesic_km(point[0], point[1], dealer.lat, dealer.lon)

    def _runners_up(self, point, chosen, basis, candidates, nearest) -> tuple[Candidate, ...]:
        """The other bases' candidates, then the next nearest dealers, each dealer once."""
        seen = {chosen.dealer_id}
        found = []
        for other in self._BASES:
            if other == basis or other not in candidates or other == Basis.NEAREST:
                continue
            dealer, score = candidates[other]
            if dealer.dealer_id not in seen:
                seen.add(dealer.dealer_id)
                found.append(Candidate(dealer, other, self._distance(point, dealer, nearest), score))
        for dealer, km in nearest:
            if dealer.dealer_id not in seen:
                seen.add(dealer.dealer_id)
                found.append(Candidate(dealer, Basis.NEAREST, km))
        return tuple(found)
