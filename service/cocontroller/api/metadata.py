"""What the audit trail says about a caller: the authenticated principal, never what the
client claims; the client's x-caller metadata only annotates it."""

from .access import principal_of

# An annotation is the client's word: kept short so it cannot swell the audit trail.
_NAMED_MAX = 64


def named_caller(context) -> str:
    """The x-caller metadata a client sends to be named in the audit trail, or ""."""
    named = next((value for key, value in context.invocation_metadata() if key == "x-caller"), "")
    return named[:_NAMED_MAX]


def caller(context) -> str:
    """Who asked, for the audit trail: the principal's identity (its certificate's SAN URI),
    then `; x-caller=<name>` when the client named someone."""
    principal = principal_of(context)
    who = principal.name if principal is not None else f"unauthenticated {context.peer()}"
    named = named_caller(context)
    return who + (f"; x-caller={named}" if named else "")
