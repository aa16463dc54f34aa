"""What the audit trail says about a caller, from the call's metadata."""


def named_caller(context) -> str:
    """The x-caller metadata a client sends to be named in the audit trail, or ""."""
    return next((value for key, value in context.invocation_metadata() if key == "x-caller"), "")


def caller(context) -> str:
    """Who asked, for the audit trail: the x-caller metadata, else the peer address."""
    return f"api:{named_caller(context) or context.peer()}"
