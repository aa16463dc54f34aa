"""The client's error, kept apart from `client.py` so that the CLI can catch it without
importing grpc at start-up. Standard library only."""


class ClientError(Exception):
    """A failed call: the gRPC status code, the server's message and the field violations
    (google.rpc.BadRequest) it sent, as (field, description) pairs.

    `code` is the `grpc.StatusCode`; `code_name` its name ("INVALID_ARGUMENT"), for callers
    that do not import grpc; `target` the server the call went to."""

    def __init__(self, code, message: str, violations: list[tuple[str, str]], target: str = ""):
        self.code = code
        self.code_name = getattr(code, "name", str(code))
        self.message = message
        self.violations = list(violations)
        self.target = target
        details = "".join(f"\n  {f}: {d}" for f, d in self.violations)
        super().__init__(f"{self.code_name}: {message}{details}")
