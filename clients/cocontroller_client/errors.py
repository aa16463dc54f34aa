"""The client's error, kept apart from `client.py` so that the CLI can catch it without
importing grpc at start-up. Standard library only."""


class ClientError(Exception):
    """A failed call: the gRPC status code, the server's message and the field violations
    (google.rpc.BadRequest) it sent, as (field, description) pairs.

    `code` is the `grpc.StatusCode`; `code_name` its name ("INVALID_ARGUMENT"), for callers
    that do not import grpc; `target` the server the call went to; `answered` whether the
    server itself sent the status (with its google.rpc.Status), not gRPC for a server it
    could not reach: an UNAVAILABLE from a server stopping a job says how to resume it."""

    def __init__(self, code, message: str, violations: list[tuple[str, str]], target: str = "",
                 answered: bool = False):
        self.code = code
        self.code_name = getattr(code, "name", str(code))
        self.message = message
        self.violations = list(violations)
        self.target = target
        self.answered = answered
        details = "".join(f"\n  {f}: {d}" for f, d in self.violations)
        super().__init__(f"{self.code_name}: {message}{details}")
