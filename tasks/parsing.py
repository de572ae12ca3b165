"""Reading the annex's cells: deadlines ("2024年底") and unit lists ("区发改局、区经信局按职责分工负责").

Shared by the seed (from the plan's text) and the Excel import (from people's spreadsheets),
so both read a cell the same way. Pure functions: no database.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from departments.models import normalize_name

from .models import DeadlineKind

ONGOING_WORDS = {"常态化", "长期", "持续推进"}
HIGHER_AUTHORITY_MARK = "根据上级"

# Qualifiers printed after a list of units, longest first so that "等按职责分工负责" wins.
UNIT_LIST_QUALIFIERS = ("等按职责分工负责", "按职责分工负责", "等负责", "负责")


class ParseError(ValueError):
    """A cell that cannot be read; the message is shown to users, so it is in Chinese."""


@dataclass(frozen=True)
class Deadline:
    kind: str
    date: datetime.date | None
    text: str


def parse_deadline(text: str) -> Deadline:
    """Read a 完成时限 cell.

    常态化 → ongoing; 2024年底 → 2024-12-31; 2024年6月底 → 2024-06-30; 2025年3月15日 → that day;
    根据上级推广应用时间节点确定 → set by a higher authority (no date yet).
    """
    cleaned = "".join(unicodedata.normalize("NFKC", text or "").split())
    cleaned = cleaned.removesuffix("前").removesuffix("之前")
    if not cleaned:
        raise ParseError("完成时限为空")
    if cleaned in ONGOING_WORDS:
        return Deadline(DeadlineKind.ONGOING, None, cleaned)
    if cleaned.startswith(HIGHER_AUTHORITY_MARK):
        return Deadline(DeadlineKind.HIGHER_AUTHORITY, None, cleaned)
    if match := re.fullmatch(r"(\d{4})年底", cleaned):
        return Deadline(DeadlineKind.FIXED, datetime.date(int(match[1]), 12, 31), cleaned)
    if match := re.fullmatch(r"(\d{4})年(\d{1,2})月(?:底|末)", cleaned):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            last_day = calendar.monthrange(year, month)[1]
            return Deadline(DeadlineKind.FIXED, datetime.date(year, month, last_day), cleaned)
    if match := re.fullmatch(r"(\d{4})[年\-/.](\d{1,2})[月\-/.](\d{1,2})日?", cleaned):
        try:
            return Deadline(DeadlineKind.FIXED, datetime.date(int(match[1]), int(match[2]), int(match[3])), cleaned)
        except ValueError:
            pass
    raise ParseError(f"无法识别的完成时限“{text.strip()}”:应为“常态化”、“2025年底”、“2024年6月底”或具体日期")


def deadline_text_for(kind: str, date: datetime.date | None) -> str:
    """The annex wording for a deadline, e.g. for a date the office typed in."""
    if kind == DeadlineKind.ONGOING:
        return "常态化"
    if date is None:
        return "根据上级推广应用时间节点确定"
    if date.month == 12 and date.day == 31:
        return f"{date.year}年底"
    if date.day == calendar.monthrange(date.year, date.month)[1]:
        return f"{date.year}年{date.month}月底"
    return f"{date.year}年{date.month}月{date.day}日"


@dataclass
class UnitList:
    """A parsed list of units: the names in order, and the qualifier printed after them."""

    names: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def per_duty(self) -> bool:
        return "按职责分工负责" in self.note


def split_top_level(text: str, separators: str = "、,;;") -> list[str]:
    """Split on separators that are not inside brackets: "镇(街道、园区)" stays whole."""
    parts, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if char in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part]


def wording_key(text: str) -> str:
    """A unit cell's words, for telling a real change of wording from a retyped one: NFKC, no
    whitespace, no list separators ("区消安委办,区应急管理局" and "区消安委办、区应急管理局" are the
    same words; "…镇(街道、园区)负责" and "…镇(街道、园区)政府负责" are not)."""
    return re.sub(r"[、,;]", "", normalize_name(text or ""))


def parse_unit_list(text: str) -> UnitList:
    """Read a 牵头单位 or 责任(配合)单位 cell into unit names and a qualifier.

    Accepts 、 , , ; as separators (full- or half-width), stray spaces and line breaks,
    and a trailing "等按职责分工负责"/"按职责分工负责"/"负责" on the list or on an item.
    Names are returned in canonical (normalized) form; matching them to units is the caller's job.
    """
    cleaned = normalize_name(text or "").rstrip("。.")
    names: list[str] = []
    qualifiers: list[str] = []
    for part in split_top_level(cleaned):
        name = part
        for qualifier in UNIT_LIST_QUALIFIERS:
            if name.endswith(qualifier) and len(name) > len(qualifier):
                name = name[: -len(qualifier)]
                qualifiers.append(qualifier)
                break
        if name:
            names.append(name)
    # One qualifier for the list: "按职责分工负责" if any item carries it, else the first one.
    note = next((q for q in qualifiers if "按职责分工负责" in q), qualifiers[0] if qualifiers else "")
    return UnitList(names=names, note=note)
