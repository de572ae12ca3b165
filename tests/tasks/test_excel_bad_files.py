import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from tasks.excel.importing import plan_import, read_workbook
from tasks.excel.safety import BadWorkbook
from tasks.models import Task, TaskImport

from .excel_helpers import export_bytes, snapshot

pytestmark = pytest.mark.django_db


def rezip(data: bytes, *, replace=None, add=None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if replace and item.filename in replace:
                content = replace[item.filename](content)
            target.writestr(item.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()


def empty_workbook() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def wrong_columns_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "电话"])
    workbook.active.append(["张三", "123"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    b' count="1" uniqueCount="1"><si><t>&lol3;</t></si></sst>'
)
# An encrypted .xlsx is an OLE2 compound file holding "EncryptionInfo" and "EncryptedPackage"
# streams; these bytes carry the OLE2 signature and the stream names (synthetic, not a real
# encrypted file: no encryption tool is installed here).
ENCRYPTED = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100
    + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 400
)
OLD_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 400


def bad_files(campaign):
    good = export_bytes(campaign)
    return {
        "not_xlsx": (b"just some text, not a workbook", "不是 Excel 工作簿"),
        "png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "不是 Excel 工作簿"),
        "docx_like_zip": (rezip(good, replace=None, add=None).replace(b"xl/workbook.xml", b"xl/workbook.xmx"), ""),
        "old_xls": (OLD_XLS, "另存为"),
        "encrypted": (ENCRYPTED, "密码"),
        "macro": (rezip(good, add={"xl/vbaProject.bin": b"\x00" * 64}), "含宏"),
        "empty_sheet": (empty_workbook(), "是空的"),
        "wrong_columns": (wrong_columns_workbook(), "表头"),
        "entity_bomb": (rezip(good, replace={"xl/sharedStrings.xml": lambda _: ENTITY_BOMB}), "不安全的 XML"),
        "truncated": (good[: len(good) // 2], "损坏"),
    }


@pytest.mark.parametrize(
    "name",
    ["not_xlsx", "png", "docx_like_zip", "old_xls", "encrypted", "macro", "empty_sheet", "wrong_columns", "entity_bomb", "truncated"],
)
def test_a_bad_file_is_refused_with_a_clear_reason(campaign, name):
    data, reason = bad_files(campaign)[name]
    with pytest.raises(BadWorkbook) as caught:
        plan_import(read_workbook(data))
    assert reason in str(caught.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(caught.value))  # a Chinese message


def test_the_old_xls_message_says_how_to_convert(campaign):
    with pytest.raises(BadWorkbook, match=r"用 Excel/WPS 打开后“另存为”.*\.xlsx"):
        read_workbook(OLD_XLS)


def test_openpyxl_refuses_the_entity_bomb_too_because_defusedxml_is_installed(campaign):
    import defusedxml  # noqa: F401  (pinned in requirements.txt; openpyxl uses it when present)
    from defusedxml.common import DefusedXmlException
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
    bomb = rezip(export_bytes(campaign), replace={"xl/sharedStrings.xml": lambda _: ENTITY_BOMB})
    with pytest.raises(ValueError) as caught:
        openpyxl.load_workbook(io.BytesIO(bomb))
    assert isinstance(caught.value.__cause__, DefusedXmlException)


def test_a_file_over_the_size_limit_is_refused(campaign, settings):
    settings.TASK_IMPORT_MAX_BYTES = 10_000
    with pytest.raises(BadWorkbook, match="不能超过"):
        read_workbook(export_bytes(campaign))


def test_a_zip_bomb_is_refused_before_parsing(campaign, settings):
    settings.TASK_IMPORT_MAX_UNPACKED_BYTES = 5 * 1024 * 1024
    bomb = rezip(export_bytes(campaign), add={"xl/media/padding.xml": b"<a>" + b" " * (30 * 1024 * 1024) + b"</a>"})
    assert len(bomb) < 200_000  # small on disk…
    with pytest.raises(BadWorkbook, match="压缩炸弹"):
        read_workbook(bomb)


def test_a_zip_bomb_with_lying_headers_is_caught_while_inflating(campaign, settings):
    settings.TASK_IMPORT_MAX_UNPACKED_BYTES = 5 * 1024 * 1024
    bomb = rezip(export_bytes(campaign), add={"xl/media/padding.bin": b"\x00" * (30 * 1024 * 1024)})
    # Rewrite the declared sizes of the big member to 1 byte in both headers.
    archive = zipfile.ZipFile(io.BytesIO(bomb))
    info = archive.getinfo("xl/media/padding.bin")
    real = info.file_size.to_bytes(4, "little")
    lied = bomb.replace(real, (1).to_bytes(4, "little"))
    with pytest.raises(BadWorkbook):
        read_workbook(lied)


def test_too_many_zip_members_are_refused(campaign, settings):
    settings.TASK_IMPORT_MAX_ZIP_MEMBERS = 20
    data = rezip(export_bytes(campaign), add={f"xl/extra{i}.xml": b"<a/>" for i in range(30)})
    with pytest.raises(BadWorkbook, match="部件"):
        read_workbook(data)


@pytest.mark.parametrize(
    "name", ["not_xlsx", "old_xls", "encrypted", "macro", "empty_sheet", "wrong_columns", "entity_bomb", "truncated"]
)
def test_the_upload_page_shows_the_reason_and_changes_nothing(client, office_user, campaign, name):
    data, reason = bad_files(campaign)[name]
    before = snapshot(campaign)
    client.force_login(office_user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("tasks:import_upload"), {"file": SimpleUploadedFile("清单.xlsx", data)}, follow=True
    )
    assert response.status_code in (200, 400)
    assert reason in response.content.decode()
    assert snapshot(campaign) == before
    assert not TaskImport.objects.filter(state__in=["ready", "applied"]).exists()
    assert Task.objects.filter(campaign=campaign).count() == 72
