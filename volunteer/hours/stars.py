"""Star levels (星级志愿者) by cumulative approved hours, CONTRACT section 6."""

# (hours needed, stars), highest first.
STAR_LEVELS = ((1500, 5), (1000, 4), (600, 3), (300, 2), (100, 1))


def star_level(minutes: int) -> int:
    """The level a volunteer is eligible for with this many approved minutes."""
    hours = (minutes or 0) / 60
    for needed, stars in STAR_LEVELS:
        if hours >= needed:
            return stars
    return 0


def stars_text(level: int) -> str:
    return "★" * level


def next_level(minutes: int) -> tuple[int, float] | None:
    """(next level, hours still needed), or None at the top level."""
    hours = (minutes or 0) / 60
    for needed, stars in reversed(STAR_LEVELS):
        if hours < needed:
            return stars, round(needed - hours, 2)
    return None
