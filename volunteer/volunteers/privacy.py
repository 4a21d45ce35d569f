"""The one masking helper for ID numbers: full numbers only for the office, on request."""


def mask_id(number: str | None) -> str:
    """310104199001011234 -> 310104********1234; short passport numbers keep 2 + 2."""
    if not number:
        return ""
    if len(number) >= 15:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    if len(number) > 4:
        return number[:2] + "*" * (len(number) - 4) + number[-2:]
    return "*" * len(number)
