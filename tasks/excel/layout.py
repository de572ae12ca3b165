"""The annex's table layout, shared by the export and the import so both agree on it.

Sheet 1 (任务清单):
    row 1  title, merged over all columns (鄞州区安全生产治本攻坚行动任务清单)
    row 2  note: the campaign's standing rule ("以下均需要镇(街道、园区)配合,不再列出"), merged
    row 3  header: 序号 | 主要任务 | 落实举措 | 具体任务 | 完成时限 | 牵头单位 | 责任(配合)单位
    row 4… one row per task. 序号 is the task's printed key ("1.1"); 主要任务 holds the category
           as printed (落实“源头防”举措) and 落实举措 the measure ((一)强化项目源头管控), both merged
           vertically over their tasks as in the annex; 具体任务 is "N.text" as printed.
Sheet 2 (方案信息): the campaign's own fields (name, dates, cadence), so that a file exported
    here can recreate the campaign in an empty database. Optional on import.
"""

from __future__ import annotations

import re

HEADERS = ["序号", "主要任务", "落实举措", "具体任务", "完成时限", "牵头单位", "责任(配合)单位"]
COLUMN_WIDTHS = [7, 14, 18, 64, 13, 30, 30]
TASK_SHEET = "任务清单"
INFO_SHEET = "方案信息"
HEADER_ROW = 3  # 1-based: title, note, header
NOTE_PREFIX = "说明:"

# The campaign fields written to (and read from) the info sheet, in order.
INFO_FIELDS = [
    ("name", "方案名称"),
    ("short_name", "简称"),
    ("issuer", "发文单位"),
    ("issued_on", "发布日期"),
    ("start_date", "开始日期"),
    ("end_date", "结束日期"),
    ("report_cadence", "报送周期"),
    ("report_due_days", "报送期限(周期结束后第几天)"),
]

# Cells starting with these would be read by Excel/WPS as a formula (or DDE) if typed in.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

STANDING_RULE_RE = re.compile(r"以下均需要(?P<unit>.+?)配合")


def is_formula_like(text: str) -> bool:
    return bool(text) and text.startswith(FORMULA_TRIGGERS)


def sheet_title(campaign_name: str) -> str:
    """鄞州区安全生产治本攻坚行动(2024—2026年) → 鄞州区安全生产治本攻坚行动任务清单."""
    base = re.sub(r"[((][^()()]*[))]\s*$", "", campaign_name).strip()
    return f"{base}任务清单"
