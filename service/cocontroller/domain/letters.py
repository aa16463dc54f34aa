"""The letter a customer whose controller changed receives, written from the privacy pack's
template (parameters.controller_change_letter) in the customer's language."""

import datetime as dt

from .. import clock
from ..errors import RulePackError
from ..model import DealerVersion, Language, Letter, Notice, Party
from ..rules.pack import RulePack, TextError, texts
from .enterprise import normalise_enterprise_number
from .network import Network

TEMPLATE = "controller_change_letter"
# What a template may name: the old and the new controller, the importer, the day and why.
FIELDS = ("old", "new", "importer", "date", "reason")
# A day as a letter in each language writes it.
_DAY_FORMATS = {Language.NL: "%d/%m/%Y", Language.FR: "%d/%m/%Y", Language.DE: "%d.%m.%Y", Language.EN: "%d/%m/%Y"}


def check_template(pack: RulePack) -> dict[str, str]:
    """The pack's letter template, a text per language naming only FIELDS."""
    where = f"parameters.{TEMPLATE}"
    try:
        found = texts(pack.parameters.get(TEMPLATE), where)
    except TextError as e:
        raise RulePackError(pack.path, None, where, str(e)) from None
    for language, text in found.items():
        try:
            text.format(**dict.fromkeys(FIELDS, ""))
        except (KeyError, IndexError, ValueError) as e:
            raise RulePackError(pack.path, None, f"{where}.{language}",
                                f"names {e} but may name only {', '.join(FIELDS)}") from None
    return found


def party(version: DealerVersion) -> Party:
    return Party(version.name, version.legal_name, version.address, version.enterprise_number)


def importer_named(pack: RulePack) -> str:
    """The importer as a letter names it, from the pack's parameters."""
    importer = pack.parameters["importer"]
    return (f"{importer['name']} ({importer['legal_name']}, {importer['address']},"
            f" {normalise_enterprise_number(importer['enterprise_number'])})")


def letter(notice: Notice, network: Network, template: dict[str, str], importer: str) -> Letter:
    """The notice's letter: the old controller as it was the day before the change, the new
    one on its day, the assignment's explanation as the reason; a customer without a
    language of their own gets French (never English)."""
    language = notice.language or Language.FR
    day = clock.day_of(notice.effective_at)
    old = party(network.describe(notice.old_dealer_id, day - dt.timedelta(days=1))) \
        if notice.old_dealer_id in network else None
    new = party(network.describe(notice.new_dealer_id, day))
    text = template[language].format(
        old=_named(old) if old else notice.old_dealer_id, new=_named(new), importer=importer,
        date=day.strftime(_DAY_FORMATS[language]), reason=notice.explanation,
    )
    return Letter(language, old, new, notice.explanation, day, text)


def _named(p: Party) -> str:
    return f"{p.name} ({p.legal_name}, {p.address}, {p.enterprise_number})"
