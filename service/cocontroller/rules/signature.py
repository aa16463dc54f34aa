"""What a ruleset can tell apart in a fact.

A pack's conditions (compiled by pack.py) compare a fact with a constant or with another
fact (eq, ne, lt, lte, gt, gte), combined by and/or, and the day with each rule's effective
dates. Which rules match a fact depends on the outcomes of those comparisons alone, so two
facts with the same outcomes get the same answer from the engine. `distinguisher` returns a
function from a fact to those outcomes (with the type of every value, so that 1 and True or
1 and 1.0 are never taken for one another): a cache key for the engine's answers that is
exact and far coarser than the fact itself. A purchase's instant, a history score or a day
take endless values; the assignment pack compares them with four constants.

Conditions of any other form give no distinguisher (None): their facts are then kept whole.
"""

import operator
from collections.abc import Callable

_COMPARE = {
    "$neq": operator.ne, "$lt": operator.lt, "$lte": operator.le, "$gt": operator.gt, "$gte": operator.ge,
}
_SYMBOLS = {operator.eq: "==", operator.ne: "!=", operator.lt: "<", operator.le: "<=", operator.gt: ">",
            operator.ge: ">="}
_CONSTANTS = (bool, int, float, str)
_EQUALITY = (operator.eq, operator.ne)


# Numbers up to this size hold exactly in a double, as the engine compares them.
_EXACT = 2 ** 53
_SHAPES_KEPT = 64


class _Unknown(Exception):
    """A condition of a form this module does not read."""


def distinguisher(conditions: dict[str, dict], reserved: str = "") -> Callable[[dict], tuple | None] | None:
    """For the durable-rules definitions of a ruleset's rules (rule id -> condition): a
    function giving a fact's key (None for a fact it cannot key: a NaN, an integer beyond a
    double, a value of another kind than a constant, a comparison of two types), or None
    when a condition is not of the forms pack.py compiles. A fact naming `reserved` (the
    engine's warm-up fact, whose rule is not among `conditions`) gets no key."""
    leaves: dict[tuple, None] = {}
    try:
        for rule in conditions.values():
            if not isinstance(rule, dict) or set(rule) - {"all", "pri"}:
                raise _Unknown
            matches = rule.get("all")
            if not isinstance(matches, list) or len(matches) != 1:
                raise _Unknown
            (match,) = matches
            if not isinstance(match, dict) or set(match) != {"m"}:
                raise _Unknown
            _walk(match["m"], leaves)
    except _Unknown:
        return None
    tests = tuple(leaves)
    outcomes = _outcomes(tests)
    # What each shape of fact (its names and the types of its values) allows: the values to
    # check for exactness, or None when such facts get no key.
    plans: dict[tuple, Callable[[dict], tuple] | None] = {}

    def key(fact: dict) -> tuple | None:
        shape = (tuple(fact), tuple(map(type, fact.values())))
        numbers = plans.get(shape)
        if numbers is None:
            if shape in plans or len(plans) >= _SHAPES_KEPT:
                return None
            numbers = plans[shape] = _numbers(shape, tests, reserved)
            if numbers is None:
                return None
        # A NaN, an infinity or a number beyond a double's exact integers makes the sum so.
        if not sum(map(abs, numbers(fact))) <= _EXACT:
            return None
        return shape, outcomes(fact)

    return key


def _numbers(shape: tuple, tests: tuple, reserved: str) -> Callable[[dict], tuple] | None:
    """For facts of this shape: a function giving their numbers, or None when such facts get
    no key (a reserved name, a value of another kind than a constant, a missing fact, two
    types compared)."""
    names, kinds = shape
    if reserved in names or any(kind not in _CONSTANTS for kind in kinds):
        return None
    kind_of = dict(zip(names, kinds))
    for compare, name, of_fact, operand in tests:
        kind = kind_of.get(name)
        other = kind_of.get(operand) if of_fact else type(operand)
        # Only present values of one type are compared here as the engine compares them,
        # and only numbers by their order.
        if kind is None or kind is not other or (compare not in _EQUALITY and kind not in (int, float)):
            return None
    numbers = [name for name, kind in kind_of.items() if kind in (int, float)]
    if len(numbers) == 1:
        (name,) = numbers
        return lambda fact: (fact[name],)
    return operator.itemgetter(*numbers) if numbers else (lambda fact: ())


def _outcomes(tests: tuple) -> Callable[[dict], tuple]:
    """One function making every comparison of `tests` on a fact, as Python source: a call
    a comparison would cost as much again. Names are written as literals (repr), constants
    are passed by name."""
    namespace: dict = {}
    terms = []
    for i, (compare, name, of_fact, operand) in enumerate(tests):
        if of_fact:
            right = f"fact[{operand!r}]"
        else:
            right = namespace_name = f"_c{i}"
            namespace[namespace_name] = operand
        terms.append(f"fact[{name!r}] {_SYMBOLS[compare]} {right}")
    exec(f"def outcomes(fact):\n    return ({', '.join(terms)},)\n", namespace)
    return namespace["outcomes"]


def _walk(node, leaves: dict) -> None:
    if not isinstance(node, dict) or len(node) != 1:
        raise _Unknown
    ((name, value),) = node.items()
    if name in ("$and", "$or"):
        if not isinstance(value, list) or not value:
            raise _Unknown
        for inner in value:
            _walk(inner, leaves)
        return
    if name in _COMPARE:
        if not isinstance(value, dict) or len(value) != 1:
            raise _Unknown
        ((fact, operand),) = value.items()
        leaves[(_COMPARE[name], fact, *_operand(operand))] = None
        return
    if name.startswith("$"):
        raise _Unknown
    leaves[(operator.eq, name, *_operand(value))] = None


def _operand(value) -> tuple[bool, object]:
    """(True, fact name) for another fact of the same message, else (False, the constant)."""
    if isinstance(value, dict):
        if set(value) != {"$m"} or not isinstance(value["$m"], str):
            raise _Unknown
        return True, value["$m"]
    if type(value) not in _CONSTANTS:
        raise _Unknown
    return False, value
