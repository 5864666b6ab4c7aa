"""Excel helpers on real workbooks written and read by openpyxl."""
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from app import excel

COLUMNS = (
    excel.Column("name", "姓名", excel.text(10)),
    excel.Column("score", "成绩", excel.decimal(places=2, minimum=Decimal(0), maximum=Decimal(100))),
    excel.Column("note", "备注", excel.text(50, required=False), required=False),
)


def workbook_bytes(rows, title="Sheet1"):
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


class Upload(io.BytesIO):
    def __init__(self, data, filename):
        super().__init__(data)
        self.filename = filename


def read(rows, columns=COLUMNS):
    stream = excel.check_upload(Upload(workbook_bytes(rows), "data.xlsx"))
    return excel.read_sheet(excel.open_workbook(stream), columns)


def test_reads_chinese_english_and_bilingual_headers():
    for headers in (["姓名", "成绩"], ["name", "score"], ["姓名 name", "成绩 score"], ["Name（姓名）", "SCORE"]):
        result = read([headers, ["魏小红", 88.5]])
        assert result.ok, result.errors
        assert result.rows == [(2, {"name": "魏小红", "score": Decimal("88.5"), "note": None})]


def test_every_bad_row_is_reported_with_its_row_number_and_reason():
    result = read([["姓名", "成绩"], ["甲", 101], ["乙", "abc"], [None, 50], ["丁", 70.125], ["戊", 60], [None, None]])
    assert not result.ok
    problems = {(e.row, e.column): e.message for e in result.errors}
    assert set(problems) == {(2, "成绩 score"), (3, "成绩 score"), (4, "姓名 name"), (5, "成绩 score")}
    assert "100" in problems[(2, "成绩 score")]
    assert [row for row, _ in result.rows] == [6]  # the blank row 7 is skipped


def test_missing_columns_name_what_is_missing():
    with pytest.raises(excel.ExcelError) as info:
        read([["姓名", "别的"], ["甲", 1]])
    assert "成绩 score" in str(info.value)


@pytest.mark.parametrize("data, filename", [
    (b"not a workbook at all", "data.xlsx"),
    (b"PK\x03\x04 truncated zip", "data.xlsx"),
    (workbook_bytes([["a"]]), "data.csv"),
    (b"", ""),
])
def test_wrong_type_or_corrupt_uploads_are_refused(data, filename):
    with pytest.raises(excel.ExcelError):
        excel.open_workbook(excel.check_upload(Upload(data, filename)))


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(excel.ExcelError):
        excel.check_upload(Upload(buffer.getvalue(), "data.xlsx"))


def test_formula_like_text_is_written_as_literal_text():
    payloads = ["=1+1", "+86 139", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://x\")", "\t=1"]
    data = excel.write_workbook([excel.Sheet("s", ["值 value"], [[p] for p in payloads] + [[42], ["plain"]])])
    ws = load_workbook(io.BytesIO(data)).active
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    for cell, payload in zip(cells, payloads):
        assert cell.data_type == "s", payload  # a string, never a formula
        assert cell.value == payload
        assert cell.quotePrefix  # Excel keeps it text even when the cell is edited
    assert cells[-2].value == 42 and cells[-2].data_type == "n"
    assert cells[-1].value == "plain" and not cells[-1].quotePrefix
    # And nowhere in the file is there a formula element.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_error_report_marks_each_bad_row_with_its_reason():
    result = read([["姓名", "成绩"], ["甲", 101], ["乙", 90]])
    report = load_workbook(io.BytesIO(excel.error_report([result])))
    rows = list(report.active.iter_rows(values_only=True))
    assert rows[0][1:3] == ("姓名", "成绩")
    assert "第2行" in rows[1][0] and "100" in rows[1][0] and rows[1][1:3] == ("甲", 101)
    assert rows[2][0] in ("", None) and rows[2][1:3] == ("乙", 90)
    assert report.active.cell(row=2, column=2).fill.fgColor.rgb.endswith("FFC7CE")


def test_named_sheet_lookup_accepts_chinese_name():
    stream = excel.check_upload(Upload(workbook_bytes([["姓名", "成绩"], ["甲", 1]], title="参赛选手"), "x.xlsx"))
    result = excel.read_sheet(excel.open_workbook(stream), COLUMNS, sheet=excel.SheetSpec("entries", "参赛选手"))
    assert result.ok and result.sheet == "参赛选手"
    with pytest.raises(excel.ExcelError):
        excel.read_sheet(excel.open_workbook(stream), COLUMNS, sheet=excel.SheetSpec("judges", "评委"))


def test_streaming_write_handles_many_rows():
    rows = ([f"选手{i}", Decimal(i) / 100] for i in range(20_000))
    data = excel.write_workbook([excel.Sheet("big", ["name", "score"], rows)])
    ws = load_workbook(io.BytesIO(data), read_only=True).active
    assert sum(1 for _ in ws.iter_rows()) == 20_001


def test_reports_are_only_readable_by_their_owner(tmp_path):
    token = excel.stash_report(tmp_path, 7, b"xlsx-bytes")
    assert excel.load_report(tmp_path, 7, token) == b"xlsx-bytes"
    assert excel.load_report(tmp_path, 8, token) is None
    assert excel.load_report(tmp_path, 7, "../../etc/passwd") is None


def test_bilingual_sheet_titles_are_accepted():
    stream = excel.check_upload(Upload(workbook_bytes([["姓名", "成绩"], ["甲", 1]], title="参赛选手 entries"), "x.xlsx"))
    result = excel.read_sheet(excel.open_workbook(stream), COLUMNS, sheet=excel.SheetSpec("entries", "参赛选手"))
    assert result.ok and result.rows[0][1]["name"] == "甲"
