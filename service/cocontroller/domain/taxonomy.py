"""The privacy pack's categories of personal data (policy section 2) and its words for
fideslang's taxonomy, read and checked at load.

Every purpose names the categories it processes, whose data it is and its fideslang data
use; every category serves a purpose; every legal basis and safeguard of the pack has its
fideslang counterpart. Which fideslang keys exist is fideslang's to say: the tests check the
pack's against its default taxonomy, and the service never imports fideslang."""

import re

from ..errors import RulePackError
from ..model import (
    Citation, DataCategory, DataSubject, FidesLegalBasis, FidesTransferBasis, Language, LegalBasis, Safeguard,
    in_language,
)
from ..rules.pack import RulePack, TextError, texts

# A key of fideslang's taxonomy: lower-case words joined by dots (user.contact.email).
_FIDES_KEY = re.compile(r"[a-z][a-z_]*(\.[a-z][a-z_]*)*")
_CATEGORY_KEYS = {"citation", "labels", "fides_categories"}


def data_categories(pack: RulePack, language: Language) -> tuple[DataCategory, ...]:
    """The pack's categories of data, in its order, labelled in `language`."""
    return tuple(
        DataCategory(key, in_language(entry["labels"], language), tuple(entry["fides_categories"]),
                     Citation(str(entry["citation"]["section"]), " ".join(entry["citation"]["text"].split())))
        for key, entry in pack.parameters["data_categories"].items()
    )


def fides_legal_bases(pack: RulePack, basis: LegalBasis) -> tuple[FidesLegalBasis, ...]:
    """The fideslang legal bases a purpose on `basis` is declared under, one declaration each."""
    return tuple(FidesLegalBasis(b) for b in pack.parameters["fides"]["legal_bases"][basis])


def fides_transfer_basis(pack: RulePack, safeguard: Safeguard) -> FidesTransferBasis:
    return FidesTransferBasis(pack.parameters["fides"]["transfer_safeguards"][safeguard])


def check_taxonomy(pack: RulePack) -> None:
    """Raises RulePackError naming the parameter, or the rule and field, that is missing,
    unknown or unused."""
    categories = _checked_categories(pack)
    _check_fides(pack)
    used = set()
    for rule in pack.rules:
        output = rule.extra["output"]
        if output["kind"] != "purpose":
            continue
        named = output["data_categories"]
        if not named:
            raise RulePackError(rule.source, rule.id, "output.data_categories",
                                "a purpose names at least one category of parameters.data_categories")
        for key in named:
            if not isinstance(key, str) or key not in categories:
                raise RulePackError(rule.source, rule.id, "output.data_categories",
                                    f"{key!r} is not in parameters.data_categories")
        if len(set(named)) != len(named):
            raise RulePackError(rule.source, rule.id, "output.data_categories", "names a category twice")
        used.update(named)
        subjects = output["data_subjects"]
        if not subjects or not all(isinstance(s, str) and s in set(DataSubject) for s in subjects) or len(
                set(subjects)) != len(subjects):
            raise RulePackError(rule.source, rule.id, "output.data_subjects",
                                f"a non-empty list of {', '.join(DataSubject)}, each once")
        if not _FIDES_KEY.fullmatch(output["fides_data_use"]):
            raise RulePackError(rule.source, rule.id, "output.fides_data_use",
                                f"{output['fides_data_use']!r} is not a fideslang key")
    unused = [key for key in categories if key not in used]
    if unused:
        raise RulePackError(pack.path, None, f"parameters.data_categories.{unused[0]}",
                            "no purpose processes it: name it in a purpose's data_categories, or remove it")


def _checked_categories(pack: RulePack) -> dict:
    categories = pack.parameters.get("data_categories")
    if not isinstance(categories, dict) or not categories:
        raise RulePackError(pack.path, None, "parameters.data_categories",
                            "needs the categories of data of the policy, by id")
    for key, entry in categories.items():
        where = f"parameters.data_categories.{key}"
        if not isinstance(entry, dict) or set(entry) != _CATEGORY_KEYS:
            raise RulePackError(pack.path, None, where, f"needs exactly {', '.join(sorted(_CATEGORY_KEYS))}")
        citation = entry["citation"]
        if not isinstance(citation, dict) or set(citation) != {"section", "text"} or not all(
                isinstance(v, str) and v.strip() for v in citation.values()):
            raise RulePackError(pack.path, None, f"{where}.citation", "needs a non-empty section and text")
        try:
            texts(entry["labels"], "labels")
        except TextError as e:
            raise RulePackError(pack.path, None, f"{where}.{e.where}", str(e)) from None
        keys = entry["fides_categories"]
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and _FIDES_KEY.fullmatch(k)
                                                             for k in keys):
            raise RulePackError(pack.path, None, f"{where}.fides_categories",
                                "needs a non-empty list of fideslang data category keys")
    return categories


def _check_fides(pack: RulePack) -> None:
    fides = pack.parameters.get("fides")
    if not isinstance(fides, dict) or set(fides) != {"system", "legal_bases", "transfer_safeguards"}:
        raise RulePackError(pack.path, None, "parameters.fides",
                            "needs system, legal_bases and transfer_safeguards")
    system = fides["system"]
    if not isinstance(system, dict) or set(system) != {"fides_key", "system_type", "name", "description"}:
        raise RulePackError(pack.path, None, "parameters.fides.system",
                            "needs fides_key, system_type, name and description")
    if not isinstance(system["fides_key"], str) or not _FIDES_KEY.fullmatch(system["fides_key"]):
        raise RulePackError(pack.path, None, "parameters.fides.system.fides_key", "must be a fideslang key")
    if not isinstance(system["system_type"], str) or not system["system_type"].strip():
        raise RulePackError(pack.path, None, "parameters.fides.system.system_type", "must be a text")
    for name in ("name", "description"):
        try:
            texts(system[name], name)
        except TextError as e:
            raise RulePackError(pack.path, None, f"parameters.fides.system.{e.where}", str(e)) from None
    _check_mapping(pack, "legal_bases", fides["legal_bases"], LegalBasis, FidesLegalBasis, many=True)
    _check_mapping(pack, "transfer_safeguards", fides["transfer_safeguards"], Safeguard, FidesTransferBasis,
                   many=False)


def _check_mapping(pack: RulePack, name: str, mapping, source, target, many: bool) -> None:
    """`mapping` gives every word of the `source` vocabulary its word of `target` (a
    non-empty list of them when `many`)."""
    where = f"parameters.fides.{name}"
    if not isinstance(mapping, dict) or set(mapping) != set(source):
        raise RulePackError(pack.path, None, where, f"needs exactly {', '.join(source)}")
    for key, value in mapping.items():
        values = value if many else [value]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v in set(target)
                                                                 for v in values):
            shape = "a non-empty list of" if many else "one of"
            raise RulePackError(pack.path, None, f"{where}.{key}", f"must be {shape} {', '.join(target)}")
