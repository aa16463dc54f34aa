"""What a ruleset can tell apart in a fact (rules/signature.py): facts with one key must get
one answer from the engine, and the assigner's memo must answer as the engine does."""

import itertools
import random

from cocontroller import resources
from cocontroller.domain.assignment import ASSIGNMENT_FIELDS, Assigner, check_assignment_pack
from cocontroller.rules.engine import RuleEngine
from cocontroller.rules.pack import compile_pack
from cocontroller.rules.signature import distinguisher

PRECEDENCE = {
    "high": {"pri": 1, "all": [{"m": {"$and": [{"a": True}, {"$gt": {"x": {"$m": "y"}}}]}}]},
    "middle": {"pri": 2, "all": [{"m": {"$or": [{"a": True}, {"$lte": {"x": 2}}]}}]},
    "low": {"pri": 3, "all": [{"m": {"$and": [{"b": "yes"}, {"$neq": {"y": 7}}, {"$gte": {"s": 2.5}}]}}]},
}


def test_facts_the_rules_cannot_tell_apart_share_a_key():
    key = distinguisher(PRECEDENCE)
    a = key({"a": True, "b": "no", "x": 10, "y": 3, "s": 0.5})
    assert a == key({"a": True, "b": "maybe", "x": 100, "y": 99, "s": 1.5})
    assert a != key({"a": True, "b": "no", "x": 3, "y": 3, "s": 0.5})  # x > y no longer holds
    assert a != key({"a": True, "b": "yes", "x": 10, "y": 3, "s": 0.5})  # b == "yes" now holds
    assert a != key({"a": True, "b": "no", "x": 10, "y": 3, "s": 2.5})  # s >= 2.5 now holds


def test_facts_that_cannot_be_keyed_get_none():
    key = distinguisher(PRECEDENCE, reserved="__warmup__")
    fact = {"a": True, "b": "no", "x": 10, "y": 3, "s": 0.5}
    assert key(fact) is not None
    for changed in ({"s": float("nan")}, {"s": float("inf")}, {"y": 2 ** 60}, {"y": 3.0}, {"s": 1},
                    {"a": 1}, {"b": None}, {"__warmup__": True}):
        assert key(dict(fact, **changed)) is None, changed
    assert key({"a": True, "b": "no", "x": 10, "s": 0.5}) is None  # y, compared, is missing
    # an order between values that are not numbers is left to the engine
    assert distinguisher({"r": {"all": [{"m": {"$lt": {"b": "m"}}}]}})({"b": "a"}) is None


def test_conditions_of_other_forms_give_no_distinguisher():
    assert distinguisher({"r": {"all": [{"m": {"$in": {"x": [1, 2]}}}]}}) is None
    assert distinguisher({"r": {"all": [{"m": {"x": 1}}, {"n": {"y": 1}}]}}) is None
    assert distinguisher({"r": {"any": [{"m": {"x": 1}}]}}) is None
    assert distinguisher({"r": {"all": [{"m": {"$gt": {"x": {"$s": "y"}}}}]}}) is None


def test_one_key_one_engine_answer_on_random_facts():
    engine = RuleEngine()
    ruleset = engine.compile("precedence", PRECEDENCE)
    answers: dict = {}
    rng = random.Random(7)
    for _ in range(2000):
        fact = {"a": rng.random() < 0.5, "b": rng.choice(["yes", "no"]), "x": rng.choice([0, 1, 2, 3, 7, 9]),
                "y": rng.choice([0, 1, 2, 3, 7, 9]), "s": rng.choice([2.5, 2.4999999, 2.5000001, 0.0, 7.0])}
        answer = engine.first_match(ruleset, fact)
        key = ruleset.facts_key(fact)
        assert key is not None
        assert answers.setdefault(key, answer) == answer, fact


def test_the_assigners_memo_answers_as_the_engine_does():
    """The shipped assignment pack, facts on and around every constant it compares with: the
    memo (keyed by what the rules tell apart) and a fresh engine asked every time agree."""
    engine = RuleEngine()
    compiled = compile_pack(engine, resources.packs_dir() / resources.ASSIGNMENT_PACK, ASSIGNMENT_FIELDS,
                            check_assignment_pack)
    assert compiled.ruleset.facts_key is not None
    assigner = Assigner(engine)
    direct = RuleEngine()
    plain = compile_pack(direct, resources.packs_dir() / resources.ASSIGNMENT_PACK, ASSIGNMENT_FIELDS,
                         check_assignment_pack)
    instants = [0, 1_500_000_000, 1_500_000_001, 1_600_000_000]
    for (has_purchase, has_preferred, has_nearest, purchase_at, preferred_at, age, score, day) in itertools.product(
        (False, True), (False, True), (False, True), instants, instants, (0, 3649, 3650, 3651),
        (0.0, 1.999999999, 2.0, 2.000000001, 7.5), (20200412, 20200413, 20261205),
    ):
        facts = {
            "has_purchase": has_purchase, "purchase_at": purchase_at, "purchase_age_days": age,
            "has_preferred": has_preferred, "preferred_at": preferred_at, "history_score": score,
            "has_nearest": has_nearest, "day": day,
        }
        assert assigner._first_match(compiled, facts) == direct.first_match(plain.ruleset, facts), facts
    assert assigner.memo_use.hits > 10 * assigner.memo_use.misses
