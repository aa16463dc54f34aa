"""Domain errors, raised where the problem is found. The gRPC layer maps each class to one
status and the CLI to one exit code; nothing here knows either."""

from pathlib import Path


class DomainError(Exception):
    pass


class InvalidArgument(DomainError):
    """Bad input: one or more (field, description) violations."""

    def __init__(self, violations: list[tuple[str, str]]):
        self.violations = list(violations)
        super().__init__("; ".join(f"{field}: {text}" for field, text in self.violations))

    @classmethod
    def of(cls, field: str, description: str) -> "InvalidArgument":
        return cls([(field, description)])

    def prefixed(self, prefix: str, fields: tuple[str, ...]) -> "InvalidArgument":
        """The same violations with `fields` under `prefix` (a request's sub-message); the
        other fields stay where they are."""
        return InvalidArgument([(prefix + field if field in fields else field, text)
                                for field, text in self.violations])


class NotFound(DomainError):
    pass


class AlreadyExists(DomainError):
    pass


class FailedPrecondition(DomainError):
    pass


class Aborted(DomainError):
    """A write made from a stale read: the record changed since (its etag, AIP-154). The
    caller reads again and retries."""


class RulePackError(DomainError, ValueError):
    """A rule pack that must not load: names the file, the rule id and the field."""

    def __init__(self, path: Path | str, rule_id: str | None, field_name: str, problem: str):
        self.path = str(path)
        self.rule_id = rule_id
        self.field = field_name
        self.problem = problem
        where = f"rule {rule_id!r}, " if rule_id else ""
        super().__init__(f"{self.path}: {where}field {field_name!r}: {problem}")


class Violations:
    """Collects (field, description) pairs so an entry point reports everything wrong with
    a request at once, then raises them together."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, description: str) -> None:
        self.items.append((field, description))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidArgument(self.items)


# How much of a bad value a message repeats: enough to recognise it, never a huge input whole.
SHOWN_CHARS = 64


def shown(value: str) -> str:
    """`value` quoted for a message, cut to its first SHOWN_CHARS characters."""
    return repr(value) if len(value) <= SHOWN_CHARS else repr(value[:SHOWN_CHARS]) + "…"
