import datetime

import pytest

from tasks.annex import chinese_to_int
from tasks.models import DeadlineKind, chinese_numeral
from tasks.parsing import ParseError, deadline_text_for, parse_deadline, parse_unit_list


@pytest.mark.parametrize(
    "text, kind, date",
    [
        ("常态化", DeadlineKind.ONGOING, None),
        (" 常态化\n", DeadlineKind.ONGOING, None),
        ("2024年底", DeadlineKind.FIXED, datetime.date(2024, 12, 31)),
        ("2024年6月底", DeadlineKind.FIXED, datetime.date(2024, 6, 30)),
        ("2024年2月底", DeadlineKind.FIXED, datetime.date(2024, 2, 29)),
        ("2026年底前", DeadlineKind.FIXED, datetime.date(2026, 12, 31)),
        ("2025年3月15日", DeadlineKind.FIXED, datetime.date(2025, 3, 15)),
        ("2025-03-15", DeadlineKind.FIXED, datetime.date(2025, 3, 15)),
        ("根据上级推广应用时间节点确定", DeadlineKind.HIGHER_AUTHORITY, None),
    ],
)
def test_it_reads_deadlines(text, kind, date):
    deadline = parse_deadline(text)
    assert (deadline.kind, deadline.date) == (kind, date)


@pytest.mark.parametrize("text", ["", "尽快", "2024年13月底", "2025年2月30日", "明年"])
def test_it_rejects_unreadable_deadlines_with_a_chinese_message(text):
    with pytest.raises(ParseError, match="完成时限"):
        parse_deadline(text)


@pytest.mark.parametrize(
    "kind, date, text",
    [
        (DeadlineKind.ONGOING, None, "常态化"),
        (DeadlineKind.FIXED, datetime.date(2025, 12, 31), "2025年底"),
        (DeadlineKind.FIXED, datetime.date(2024, 6, 30), "2024年6月底"),
        (DeadlineKind.FIXED, datetime.date(2024, 6, 15), "2024年6月15日"),
        (DeadlineKind.HIGHER_AUTHORITY, None, "根据上级推广应用时间节点确定"),
    ],
)
def test_deadline_text_round_trips(kind, date, text):
    assert deadline_text_for(kind, date) == text
    assert parse_deadline(text).date == date


@pytest.mark.parametrize(
    "text, names, note",
    [
        ("区发改局、区经信局按职责分工负责", ["区发改局", "区经信局"], "按职责分工负责"),
        ("区应急管理局、区交通局、区市场监管局等按职责分工负责", ["区应急管理局", "区交通局", "区市场监管局"], "等按职责分工负责"),
        ("区安委办、区消安委办,区委社工部", ["区安委办", "区消安委办", "区委社工部"], ""),
        ("区安委办，区消安委办 ,\n区委社工部", ["区安委办", "区消安委办", "区委社工部"], ""),
        ("镇（街道、园区）", ["镇(街道、园区)"], ""),
        ("区各相关部门按职责分工负责,镇(街道、园区)政府负责", ["区各相关部门", "镇(街道、园区)政府"], "按职责分工负责"),
        ("", [], ""),
    ],
)
def test_it_reads_unit_lists(text, names, note):
    result = parse_unit_list(text)
    assert (result.names, result.note) == (names, note)


@pytest.mark.parametrize("number, numeral", [(1, "一"), (7, "七"), (10, "十"), (16, "十六"), (20, "二十"), (23, "二十三")])
def test_chinese_numerals_both_ways(number, numeral):
    assert chinese_numeral(number) == numeral
    assert chinese_to_int(numeral) == number
