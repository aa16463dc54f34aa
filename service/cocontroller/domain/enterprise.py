"""Belgian enterprise numbers (KBO/BCE): one canonical form, so the same dealer typed three
ways is stored and compared once."""

import re

from ..errors import shown

_SEPARATORS = re.compile(r"[\s.\-]")


def normalise_enterprise_number(text: str) -> str:
    """The number as 'BE 0xxx.xxx.xxx'. Accepts an optional 'BE' prefix, spaces, dots and
    dashes, and the old 9-digit form (a 0 is put in front). Raises `ValueError` saying what is
    wrong: the characters, the length, the first digit or the mod-97 check."""
    digits = _SEPARATORS.sub("", text.strip())
    if digits[:2].upper() == "BE":
        digits = digits[2:]
    if not re.fullmatch(r"[0-9]*", digits):
        raise ValueError(
            "enterprise number may only hold digits, spaces, dots, dashes and a BE prefix, "
            f"got {shown(text)}"
        )
    if len(digits) == 9:
        digits = "0" + digits
    if len(digits) != 10:
        raise ValueError(f"enterprise number must have 10 digits (or 9), got {shown(text)}")
    if digits[0] not in "01":
        raise ValueError(f"enterprise number must start with 0 or 1, got {shown(text)}")
    if 97 - int(digits[:8]) % 97 != int(digits[8:]):
        raise ValueError(f"enterprise number {shown(text)} fails the mod-97 check")
    return f"BE {digits[:4]}.{digits[4:7]}.{digits[7:]}"
