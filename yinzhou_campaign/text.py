"""Text written into the XML-based files the system produces (.xlsx workbooks, .docx circulars).

XML 1.0 cannot hold most control characters, and openpyxl and python-docx raise on them. People
paste them in from Word (its manual line break is \\x0b) and PostgreSQL stores them, so every
writer of those files passes user text through `xml_text`.
"""

from __future__ import annotations

import re

XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value) -> str:
    """`value` as text without the characters XML cannot hold ("" for None)."""
    return XML_INVALID.sub("", "" if value is None else str(value))
