"""Measure each worksheet while its XML streams past, so an oversized sheet is refused before a
reader loads it.

Why: python-calamine (our reader) builds a grid from A1 to the last cell that holds a value, and
`read_workbook` turns that grid into Python lists. A 1,048,576-row sheet is only a few MB zipped,
yet reading it took a web worker to several GB. The size must therefore be known before reading,
and without trusting the sheet's `<dimension ref="…">`: writers leave stale ones (too small as well
as too large). So every `<row>` and `<c>` is counted as the XML is inflated, by expat in constant
memory, and counting stops at the first cell past the budget.

Counted as calamine counts: a cell takes room when it holds something (`<v>`, an inline string
`<is>`, or a formula `<f>`). Empty formatted cells (`<c r="XFD1048576" s="1"/>`) and empty rows,
which formatting whole rows or columns leaves behind, cost the reader nothing and are not counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings

CELL_REF_RE = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
VALUE_ELEMENTS = {"v", "is", "f"}


@dataclass(frozen=True)
class SheetBudget:
    rows: int
    columns: int
    cells: int

    @classmethod
    def from_settings(cls) -> "SheetBudget":
        return cls(
            rows=getattr(settings, "TASK_IMPORT_MAX_ROWS", 20_000),
            columns=getattr(settings, "TASK_IMPORT_MAX_COLUMNS", 50),
            cells=getattr(settings, "TASK_IMPORT_MAX_CELLS", 200_000),
        )

    def describe(self) -> str:
        return f"每个工作表最多 {self.rows} 行、{self.columns} 列、{self.cells} 个有内容的单元格"


class SheetTooLarge(Exception):
    """A worksheet past the budget; str() says which limit, in Chinese (e.g. "超过 20000 行")."""


class SheetMalformed(Exception):
    """A worksheet whose XML or cell references cannot be read."""


class SheetUnsafe(Exception):
    """A part that declares a DTD (entity bombs); no workbook Excel, WPS or LibreOffice writes has one."""


class _NotAWorksheet(Exception):
    """Raised inside expat at the root element of any other part, to stop parsing it."""


def column_number(letters: str) -> int:
    """'A' → 1, 'Z' → 26, 'AA' → 27, 'XFD' → 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


class SheetCounter:
    """Fed one zip member's bytes chunk by chunk; raises SheetTooLarge as soon as a worksheet
    passes the budget. Every member is fed, whatever its name (the reader finds sheets through
    the workbook's relationships, not by file name); other parts (shared strings, styles,
    images…) are recognised by their root element, or by not being XML, and skipped from then on.

    Steps per element: `<row r>` sets the current row (or the next one without r); `<c r>` sets
    the current cell (or the next column without r); a value element inside it marks the cell as
    holding something; at `</c>` such a cell is counted and checked against the budget.
    """

    def __init__(self, budget: SheetBudget) -> None:
        self.budget = budget
        self.is_worksheet: bool | None = None  # unknown until the root element is read
        self.cells = 0
        self._row = 0
        self._column = 0
        self._in_cell = False
        self._cell_has_value = False
        # No namespace processing: writers use different prefixes; only local names matter.
        self._parser = expat.ParserCreate()
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        # Called at "<!DOCTYPE", before any entity of its internal subset is declared.
        self._parser.StartDoctypeDeclHandler = self._doctype

    def feed(self, chunk: bytes, *, last: bool = False) -> None:
        if self.is_worksheet is False:
            return
        try:
            self._parser.Parse(chunk, last)
        except _NotAWorksheet:
            self.is_worksheet = False
        except expat.ExpatError as error:
            if self.is_worksheet is None:  # not XML at all (an image…): not a sheet anyone reads
                self.is_worksheet = False
                return
            raise SheetMalformed(str(error)) from error

    def _doctype(self, *args) -> None:
        raise SheetUnsafe

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if self.is_worksheet is None:
            self.is_worksheet = local == "worksheet"
            if not self.is_worksheet:
                raise _NotAWorksheet
        if local == "row":
            self._row = self._number(attributes.get("r"), default=self._row + 1)
            self._column = 0
        elif local == "c":
            self._enter_cell(attributes.get("r"))
        elif self._in_cell and local in VALUE_ELEMENTS:
            self._cell_has_value = True

    def _end(self, name: str) -> None:
        if name.rpartition(":")[2] != "c":
            return
        if self._cell_has_value:
            self.cells += 1
            self._check()
        self._in_cell = False

    def _enter_cell(self, reference: str | None) -> None:
        if reference:
            match = CELL_REF_RE.match(reference)
            if match is None:
                raise SheetMalformed(f"单元格引用 {reference!r} 无效")
            self._column, self._row = column_number(match.group(1)), int(match.group(2))
        else:
            self._column += 1
        self._in_cell = True
        self._cell_has_value = False

    def _check(self) -> None:
        if self._row > self.budget.rows:
            raise SheetTooLarge(f"超过 {self.budget.rows} 行")
        if self._column > self.budget.columns:
            raise SheetTooLarge(f"超过 {self.budget.columns} 列")
        if self.cells > self.budget.cells:
            raise SheetTooLarge(f"超过 {self.budget.cells} 个有内容的单元格")

    @staticmethod
    def _number(text: str | None, *, default: int) -> int:
        if not text:
            return default
        if not text.isdigit():
            raise SheetMalformed(f"行号 {text!r} 无效")
        return int(text)
