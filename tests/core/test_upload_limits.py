"""Uploads are judged before they are parsed: zip bombs and giant sheets are refused cheaply."""
import io
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from app import excel


class Upload(io.BytesIO):
    def __init__(self, data, filename="roster.xlsx"):
        super().__init__(data)
        self.filename = filename


def _workbook_with(member, payload_writer):
    """A real small workbook whose `member` is replaced by what `payload_writer(handle)` streams."""
    source = io.BytesIO()
    book = Workbook()
    book.active.append(["姓名", "手机号"])
    book.save(source)
    target = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            if info.filename != member:
                out.writestr(info, original.read(info))
        with out.open(member, "w", force_zip64=True) as handle:
            payload_writer(handle)
    return target.getvalue()


def _sheet_rows(rows):
    def write(handle):
        handle.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        block = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (i, i)
                         for i in range(1, 1001))
        for _ in range(rows // 1000):
            handle.write(block)
        handle.write(b"</sheetData></worksheet>")
    return write


def _zeros(size):
    def write(handle):
        chunk = b"<si><t>" + b"0" * (1 << 20) + b"</t></si>"
        handle.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        for _ in range(size >> 20):
            handle.write(chunk)
        handle.write(b"</sst>")
    return write


def _refused(data, reason):
    tracemalloc.start()
    try:
        with pytest.raises(excel.ExcelError) as error:
            excel.open_workbook(excel.check_upload(Upload(data)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reason in str(error.value.message)
    return peak


def test_a_zip_bomb_of_shared_strings_is_refused_without_unpacking_it(app, english):
    data = _workbook_with("xl/sharedStrings.xml", _zeros(250 << 20))
    assert len(data) < 2 << 20  # a 250 MB payload in a small upload
    peak = _refused(data, "too large")
    assert peak < 50 << 20  # judged from the archive's directory, not by unpacking


def test_a_million_row_sheet_is_refused_before_openpyxl_reads_it(app, english):
    data = _workbook_with("xl/worksheets/sheet1.xml", _sheet_rows(1_000_000))
    peak = _refused(data, "at most 200000 rows")
    assert peak < 50 << 20


def test_a_declared_width_beyond_the_limit_is_refused(app, english):
    def write(handle):
        handle.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     b'<dimension ref="A1:XFD3"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is>'
                     b"</c></row></sheetData></worksheet>")
    _refused(_workbook_with("xl/worksheets/sheet1.xml", write), "columns")


def test_a_sheet_at_the_limit_is_accepted(app, english):
    data = _workbook_with("xl/worksheets/sheet1.xml", _sheet_rows(200_000))
    book = excel.open_workbook(excel.check_upload(Upload(data)))
    book.close()
