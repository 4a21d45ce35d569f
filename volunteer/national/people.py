"""The national pack's 志愿者 rows: stored values written by their national names (CONTRACT
section 10), through the office's mapping read once per pack and each distinct value mapped once."""
from __future__ import annotations

from . import codes, mapping

SKILL_SPLIT = str.maketrans({c: "、" for c in ",，;；/ "})


class People:
    """志愿者 rows by national names: the office's mapping read once, each value mapped once."""

    def __init__(self) -> None:
        self.tables = {field: mapping.overrides(field) for field in mapping.MAPPED_FIELDS}
        self.cache: dict[tuple[str, str | None], str | None] = {}

    def name(self, field: str, value: str | None) -> str | None:
        key = (field, value)
        if key not in self.cache:
            self.cache[key] = mapping.name_for(field, value, self.tables[field]) or value
        return self.cache[key]

    def skills(self, value: str | None) -> str | None:
        if not value:
            return None
        key = ("skill", value)
        if key not in self.cache:
            names = []
            for part in filter(None, value.translate(SKILL_SPLIT).split("、")):
                name = codes.name_of("skill", codes.find("skill", part) or codes.OTHER["skill"])
                if name not in names:
                    names.append(name)
            self.cache[key] = "、".join(names)
        return self.cache[key]

    def row(self, v) -> tuple:
        """One 志愿者 row, in pack.VOLUNTEER_HEADER's order."""
        return (v.name, self.name("id_type", v.id_type), v.id_number, self.name("gender", v.gender), v.birth_date,
                v.phone, self.name("political_status", v.political_status), self.name("education", v.education),
                self.skills(v.skills), v.national_no, v.id)
