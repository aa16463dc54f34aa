"""Domain errors. The server maps each class to one gRPC status; nothing here knows gRPC."""


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


class NotFound(DomainError):
    pass


class AlreadyExists(DomainError):
    pass


class FailedPrecondition(DomainError):
    pass
