"""Refuse bad uploads before any spreadsheet parser sees them.

Checked on the raw bytes, in this order: the size limit; an OLE2 container (an old .xls, or a
password-protected workbook — Excel encrypts an .xlsx into an OLE2 "EncryptedPackage"); a zip
at all; the number of zip members and their real uncompressed sizes (a zip bomb is a small file
that unpacks to gigabytes — the sizes are counted while inflating, never trusted from the
header); a macro project (vbaProject.bin, .xlsm); a DTD in any XML part (entity bombs: no
workbook written by Excel, WPS or LibreOffice carries one); a worksheet past the row, column or
cell budget (counted while inflating, see sheet_budget). Every refusal is a `BadWorkbook` with
a Chinese message for the user.
"""

from __future__ import annotations

import io
import zipfile

from django.conf import settings

from .sheet_budget import SheetBudget, SheetCounter, SheetMalformed, SheetTooLarge, SheetUnsafe

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_MARKERS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
CHUNK = 1024 * 1024
# Upper-cased windows are searched; UTF-16 spellings too (an XML part may be UTF-16 encoded).
DTD_MARKERS = tuple(
    m.upper() for word in ("<!DOCTYPE", "<!ENTITY") for m in (word.encode(), word.encode("utf-16-le"))
)
UNSAFE_XML = "文件包含不安全的 XML 内容(DTD/实体定义),已拒绝。请用 Excel/WPS 重新保存后再上传。"


class BadWorkbook(ValueError):
    """An upload we refuse; str() is the message shown to the user."""


def max_upload_bytes() -> int:
    return getattr(settings, "TASK_IMPORT_MAX_BYTES", 10 * 1024 * 1024)


def max_unpacked_bytes() -> int:
    return getattr(settings, "TASK_IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)


def max_members() -> int:
    return getattr(settings, "TASK_IMPORT_MAX_ZIP_MEMBERS", 500)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def check_size(size: int) -> None:
    if size > max_upload_bytes():
        raise BadWorkbook(f"文件过大({size / 1024 / 1024:.1f} MB),导入文件不能超过 {_mb(max_upload_bytes())}。")
    if size == 0:
        raise BadWorkbook("文件是空的,请重新选择 .xlsx 文件。")


def check_workbook_bytes(data: bytes) -> None:
    """Raise BadWorkbook unless `data` looks like a safe, macro-free, unencrypted .xlsx."""
    check_size(len(data))
    if data.startswith(OLE2_MAGIC):
        if any(marker in data for marker in ENCRYPTED_MARKERS):
            raise BadWorkbook("该工作簿设置了打开密码(已加密),无法读取。请在 Excel/WPS 中取消密码后另存为 .xlsx 再上传。")
        raise BadWorkbook(
            "这是旧版 Excel 97-2003 工作簿(.xls),不能直接导入。请用 Excel/WPS 打开后“另存为”"
            "Excel 工作簿(.xlsx)再上传。"
        )
    if not data.startswith(ZIP_MAGIC):
        raise BadWorkbook("不是 Excel 工作簿(.xlsx)文件。请上传用 Excel/WPS 保存的 .xlsx 文件。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise BadWorkbook("文件已损坏,无法作为 .xlsx 读取。请用 Excel/WPS 重新保存后再上传。") from error
    if len(members) > max_members():
        raise BadWorkbook(f"文件结构异常(包含 {len(members)} 个部件),疑似恶意文件,已拒绝。")
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise BadWorkbook("不是 Excel 工作簿(.xlsx)文件:找不到工作簿内容。请上传用 Excel/WPS 保存的 .xlsx 文件。")
    if "xl/workbook.bin" in names:
        raise BadWorkbook("这是 Excel 二进制工作簿(.xlsb),请用 Excel/WPS“另存为” .xlsx 再上传。")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise BadWorkbook("这是含宏的工作簿(.xlsm),为安全起见不能导入。请用 Excel/WPS“另存为”不含宏的 .xlsx 再上传。")
    declared = sum(member.file_size for member in members)
    if declared > max_unpacked_bytes():
        raise BadWorkbook(f"文件解压后过大(超过 {_mb(max_unpacked_bytes())}),疑似“压缩炸弹”,已拒绝。")
    _inflate_and_scan(archive, members)


def _inflate_and_scan(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """Inflate every member once: count real bytes (headers can lie), look for DTDs, and measure
    each worksheet against the row/column/cell budget (sheet_budget) while it streams past."""
    inflated = 0
    budget = SheetBudget.from_settings()
    for member in members:
        if member.is_dir():
            continue
        try:
            inflated = _scan_member(archive, member, budget, inflated_before=inflated)
        except BadWorkbook:
            raise
        except SheetUnsafe as error:
            raise BadWorkbook(UNSAFE_XML) from error
        except SheetTooLarge as error:
            raise BadWorkbook(
                f"工作表过大({error}),超出导入上限:{budget.describe()}。"
                "请删去多余的行、列或工作表后再上传。"
            ) from error
        except (SheetMalformed, zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as error:
            # RuntimeError: a member encrypted with a zip password; NotImplementedError: unknown compression.
            raise BadWorkbook("文件已损坏,无法作为 .xlsx 读取。请用 Excel/WPS 重新保存后再上传。") from error
        if "macroenabled" in member.filename.lower():
            raise BadWorkbook("这是含宏的工作簿(.xlsm),为安全起见不能导入。")
    content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in archive.namelist() else b""
    if b"macroEnabled" in content_types:
        raise BadWorkbook("这是含宏的工作簿(.xlsm),为安全起见不能导入。请用 Excel/WPS“另存为”不含宏的 .xlsx 再上传。")


def _scan_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: SheetBudget, *, inflated_before: int) -> int:
    """Inflate one member chunk by chunk and return the running total of inflated bytes.

    Each chunk: count it against the unpacked limit; in an XML part, look for a DTD marker
    (also across the chunk boundary); then feed the sheet counter, which measures the member if
    it turns out to be a worksheet (and refuses a DTD in a part of any name)."""
    limit = max_unpacked_bytes()
    inflated = inflated_before
    is_xml = member.filename.endswith((".xml", ".rels", ".vml"))
    counter = SheetCounter(budget)
    with archive.open(member) as stream:
        tail = b""
        while chunk := stream.read(CHUNK):
            inflated += len(chunk)
            if inflated > limit:
                raise BadWorkbook(f"文件解压后过大(超过 {_mb(limit)}),疑似“压缩炸弹”,已拒绝。")
            if is_xml:
                window = (tail + chunk).upper()
                if any(marker in window for marker in DTD_MARKERS):
                    raise BadWorkbook(UNSAFE_XML)
                tail = chunk[-32:]
            counter.feed(chunk)
        counter.feed(b"", last=True)
    return inflated
