"""The record of processing as a Fides system manifest (fideslang's System): one privacy
declaration per purpose and fideslang legal basis, with the purpose's data use and data
subjects and the fideslang keys of the categories of data it processes; the recipients as
the system's egress, the transfers' legal bases. Every fideslang word is the pack's
(taxonomy.py); nothing here imports fideslang."""

import datetime as dt

from ..model import (
    ControllerRole, FidesDataFlow, FidesDeclaration, FidesMeta, FidesSystem, Language, in_language,
)
from ..rules.pack import RulePack
from .ropa import ropa

# The importer, whose system this is, decides the purposes and means with the dealers: a
# (joint) controller, in fideslang's words (DataResponsibilityTitle).
CONTROLLER = "Controller"


def fides_system(pack: RulePack, language: Language, day: dt.date) -> FidesSystem:
    """The system manifest of the record the privacy `pack` states on `day`, in `language`."""
    record = ropa(pack, language, day)
    system = pack.parameters["fides"]["system"]
    keys = {category.id: category.fides_categories for category in record.data_categories}
    declarations = []
    for purpose in record.purposes:
        categories = tuple(dict.fromkeys(key for category in purpose.data_categories for key in keys[category]))
        for basis in purpose.fides_legal_bases:
            # A purpose on two bases is declared under each, named apart.
            suffix = f" ({basis})" if len(purpose.fides_legal_bases) > 1 else ""
            declarations.append(FidesDeclaration(
                name=f"{purpose.id}: {purpose.label}{suffix}", data_use=purpose.fides_data_use,
                data_categories=categories, data_subjects=purpose.data_subjects, legal_basis_for_processing=basis))
    importer = next((c for c in record.controllers if c.role == ControllerRole.IMPORTER), None)
    return FidesSystem(
        fides_key=system["fides_key"], name=in_language(system["name"], language),
        description=in_language(system["description"], language), system_type=system["system_type"],
        legal_name=importer.legal_name if importer else "", legal_address=importer.address if importer else "",
        responsibility=(CONTROLLER,),
        joint_controller_info="; ".join(c.label for c in record.controllers if c.role != ControllerRole.IMPORTER),
        privacy_declarations=tuple(declarations),
        egress=tuple(FidesDataFlow(key) for key in dict.fromkeys(r.recipient for r in record.recipients)),
        does_international_transfers=bool(record.transfers),
        legal_basis_for_transfers=tuple(dict.fromkeys(t.fides_transfer_basis for t in record.transfers)),
        meta=FidesMeta(record.pack, day, language, tuple(sorted({t.country for t in record.transfers}))),
    )
