"""Excel in and out, through openpyxl only.

Reading streams a worksheet in read-only mode, matches the header row against
the expected columns (English keys or Chinese labels, or both as "姓名 name"),
parses every row and collects every problem with its row number, so an import
can validate all rows first and then write all or nothing. `error_report`
returns the uploaded rows with a column naming each bad row's reason.

Writing uses write-only mode. Text that a spreadsheet would run as a formula
(leading = + - @, tab or CR) is written as a literal text cell with Excel's
quote prefix, so it shows as typed and never executes.
"""
import io

import re
import secrets
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from app.forms import CONTROL

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Refusing a zip bomb or a giant sheet must cost little: the archive's directory and
# each sheet's first bytes are read before openpyxl parses anything.
MAX_UNCOMPRESSED = 100 * 1024 * 1024  # the whole workbook, unpacked
MAX_MEMBER = {  # what openpyxl holds in memory whole, unpacked
    "xl/sharedStrings.xml": 32 * 1024 * 1024,
    "xl/styles.xml": 8 * 1024 * 1024,
    "xl/workbook.xml": 1024 * 1024,
}
MAX_SHEET_BYTES = 80 * 1024 * 1024  # one worksheet, unpacked (200,000 rows of a wide sheet)
MAX_ROWS = 200_000
MAX_COLUMNS = 1_000
_ROW = re.compile(rb"<(?:\w+:)?row[\s>]")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension ref=\"[A-Z]*[0-9]*:?([A-Z]+)([0-9]+)\"")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")


class ExcelError(Exception):
    """The upload cannot be read at all (wrong type, corrupt, wrong sheet)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# ---- parsers: each turns a cell value into data or raises ValueError(message)

def text(max_length=200, required=True):
    def parse(value):
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise ValueError(_l("is required"))
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        result = str(value).strip()
        if CONTROL.search(result):
            raise ValueError(_l("contains invisible control characters"))
        if len(result) > max_length:
            raise ValueError(_l("is longer than %(n)s characters", n=max_length))
        return result

    return parse


def decimal(places=2, minimum=None, maximum=None, required=True):
    def parse(value):
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise ValueError(_l("is required"))
            return None
        try:
            # str() of a float is its shortest repr, so 8.5 stays 8.5 exactly.
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(_l("is not a number")) from None
        if not number.is_finite():
            raise ValueError(_l("is not a number"))
        if -number.as_tuple().exponent > places and number != number.quantize(Decimal(1).scaleb(-places)):
            raise ValueError(_l("has more than %(n)s decimal places", n=places))
        if minimum is not None and number < minimum:
            raise ValueError(_l("must be at least %(n)s", n=minimum))
        if maximum is not None and number > maximum:
            raise ValueError(_l("must be at most %(n)s", n=maximum))
        return number

    return parse


def integer(minimum=None, maximum=None, required=True):
    as_decimal = decimal(places=0, minimum=minimum, maximum=maximum, required=required)

    def parse(value):
        number = as_decimal(value)
        return None if number is None else int(number)

    return parse


TRUE_WORDS = {"yes", "y", "true", "1", "是", "√", "x"}
FALSE_WORDS = {"no", "n", "false", "0", "否", ""}


def boolean(value):
    word = "" if value is None else str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(_l("must be yes or no (是/否)"))


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Chinese header, also accepted on import
    parse: Callable[[Any], Any] = field(default_factory=text)
    required: bool = True  # the column must be present in the header row

    @property
    def header(self):
        return f"{self.label} {self.key}"


@dataclass(frozen=True)
class SheetSpec:
    name: str  # English sheet name, e.g. "entries"
    label: str  # Chinese sheet name, also accepted, e.g. "参赛选手"


@dataclass
class RowError:
    row: int
    column: str | None
    message: str

    def __str__(self):
        prefix = f"{self.column}: " if self.column else ""
        return f"{prefix}{self.message}"


@dataclass
class ReadResult:
    sheet: str
    columns: Sequence[Column]
    rows: list = field(default_factory=list)  # (row_number, {key: value})
    raw: list = field(default_factory=list)  # (row_number, original cell values)
    headers: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    def add_error(self, row, column, message):
        self.errors.append(RowError(row, column, str(message)))


def _normalise(header):
    return re.sub(r"\s+", " ", str(header or "").replace("\u3000", " ")).strip().lower()


def _header_tokens(header):
    whole = _normalise(header)
    return {whole, *(t for t in re.split(r"[\s/|()（）:：,，]+", whole) if t)}


def match_headers(headers, columns):
    """Map each column key to its position; returns (positions, missing keys)."""
    positions = {}
    for index, header in enumerate(headers):
        tokens = _header_tokens(header)
        for column in columns:
            if column.key not in positions and (
                column.key.lower() in tokens or _normalise(column.label) in tokens
            ):
                positions[column.key] = index
                break
    missing = [c for c in columns if c.required and c.key not in positions]
    return positions, missing


def check_upload(storage):
    """Return the upload as a seekable stream after checking it is a real xlsx."""
    filename = (getattr(storage, "filename", "") or "").lower()
    if not filename:
        raise ExcelError(_l("Please choose a file to upload."))
    if not filename.endswith(".xlsx"):
        raise ExcelError(_l("Only Excel workbooks (.xlsx) can be imported."))
    data = storage.read()
    if not data.startswith(b"PK\x03\x04"):
        raise ExcelError(_l("The file is not a valid Excel workbook (.xlsx)."))
    stream = io.BytesIO(data)
    inspect_archive(stream)
    return stream


def _column_number(letters):
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _sheet_rows(archive, info):
    """Rows of one worksheet, counted in its unpacked XML (stops past MAX_ROWS); checks <dimension>'s width."""
    rows, tail = 0, b""
    with archive.open(info) as member:
        chunk = member.read(1 << 16)
        found = _DIMENSION.search(chunk)
        if found is not None and _column_number(found.group(1).decode()) > MAX_COLUMNS:
            raise ExcelError(_l("A sheet may hold at most %(n)s columns.", n=MAX_COLUMNS))
        while chunk:
            buffer = tail + chunk
            # A tag that straddled the previous chunk ends after the kept tail: counted once, here.
            rows += sum(1 for match in _ROW.finditer(buffer) if match.end() > len(tail))
            if rows > MAX_ROWS + 1:
                break
            tail, chunk = buffer[-16:], member.read(1 << 20)
    return rows


def data_rows(stream):
    """Rows below the header of the first sheet, counted in its XML: what the file really holds,
    whatever its <dimension> declares (a sheet may claim a million rows and hold two)."""
    book = open_workbook(stream)
    try:
        path = book.worksheets[0]._worksheet_path
    finally:
        book.close()
        stream.seek(0)
    with zipfile.ZipFile(stream) as archive:
        rows = _sheet_rows(archive, archive.getinfo(path.lstrip("/")))
    stream.seek(0)
    return max(rows - 1, 0)


def inspect_archive(stream):
    """Refuse what is not a workbook, a zip bomb, or a sheet too big, before anything is parsed."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            names = {info.filename for info in members}
            if "xl/workbook.xml" not in names:
                raise ExcelError(_l("The file is not a valid Excel workbook (.xlsx)."))
            if sum(info.file_size for info in members) > MAX_UNCOMPRESSED:
                raise ExcelError(_l("The workbook is too large to import."))
            for info in members:
                limit = MAX_MEMBER.get(info.filename)
                sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
                if sheet:
                    limit = MAX_SHEET_BYTES
                if limit is not None and info.file_size > limit:
                    raise ExcelError(_l("The workbook is too large to import."))
                if sheet and _sheet_rows(archive, info) > MAX_ROWS + 1:  # + the header row
                    raise ExcelError(_l("A sheet may hold at most %(n)s rows.", n=MAX_ROWS))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
        raise ExcelError(_l("The file is damaged and cannot be opened.")) from None
    stream.seek(0)


def open_workbook(stream):
    inspect_archive(stream)
    try:
        return load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        raise ExcelError(_l("The file is damaged and cannot be opened.")) from None


def has_sheet(workbook, sheet):
    """Does the workbook hold the sheet `sheet` (a SheetSpec) names, by name or label?"""
    wanted = {_normalise(sheet.name), _normalise(sheet.label)}
    return any(_header_tokens(ws.title) & wanted for ws in workbook.worksheets)


def read_sheets(workbook, sheets):
    """Several sheets of one workbook: [(key, SheetSpec, columns, required)] → {key: ReadResult}.

    A missing optional sheet is left out; a missing required sheet, or one whose header
    cannot be read, gives a result with its problem on row 1.
    """
    found = {}
    for key, spec, columns, required in sheets:
        try:
            found[key] = read_sheet(workbook, columns, sheet=spec)
        except ExcelError as error:
            if not required and not has_sheet(workbook, spec):
                continue
            found[key] = ReadResult(sheet=spec.name, columns=columns)
            found[key].add_error(1, None, error.message)
    return found


def read_sheet(workbook, columns, sheet=None, validate_row=None):
    """Parse one worksheet into a ReadResult, collecting every problem.

    `sheet` names the worksheet (None = the first); `validate_row(values)` may
    return a list of (column key or None, message) for cross-field rules.
    """
    if sheet is None:
        worksheet = workbook.worksheets[0]
    else:
        wanted = {_normalise(sheet.name), _normalise(sheet.label)}
        # "赛项", "events" and "赛项 events" all name the same sheet (has_sheet asks the same).
        matches = [ws for ws in workbook.worksheets if _header_tokens(ws.title) & wanted]
        if not matches:
            raise ExcelError(_l("The workbook has no sheet named “%(name)s”.", name=sheet.name))
        worksheet = matches[0]
    result = ReadResult(sheet=worksheet.title, columns=columns)
    rows = worksheet.iter_rows(values_only=True)
    try:
        headers = next(rows)
    except StopIteration:
        raise ExcelError(_l("The sheet “%(name)s” is empty.", name=worksheet.title)) from None
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile):
        raise ExcelError(_l("The file is damaged and cannot be opened.")) from None
    result.headers = [h for h in headers]
    positions, missing = match_headers(headers, columns)
    if missing:
        raise ExcelError(
            _l(
                "Sheet “%(sheet)s” is missing the columns: %(columns)s",
                sheet=worksheet.title,
                columns="、".join(c.header for c in missing),
            )
        )
    try:
        for row_number, cells in enumerate(rows, start=2):
            if cells is None or all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            if len(result.raw) >= MAX_ROWS:
                raise ExcelError(_l("A sheet may hold at most %(n)s rows.", n=MAX_ROWS))
            result.raw.append((row_number, list(cells)))
            values, ok = {}, True
            for column in columns:
                position = positions.get(column.key)
                cell = cells[position] if position is not None and position < len(cells) else None
                try:
                    values[column.key] = column.parse(cell)
                except ValueError as problem:
                    ok = False
                    result.add_error(row_number, column.header, problem.args[0] if problem.args else problem)
            if ok and validate_row is not None:
                for key, message in validate_row(values) or ():
                    ok = False
                    result.add_error(row_number, _column_header(columns, key), message)
            if ok:
                result.rows.append((row_number, values))
    except (KeyError, TypeError, zipfile.BadZipFile):
        raise ExcelError(_l("The file is damaged and cannot be opened.")) from None
    return result


def _column_header(columns, key):
    for column in columns:
        if column.key == key:
            return column.header
    return None


# ---- writing


def neutralise(cell):
    """Make text that starts like a formula a literal, quote-prefixed text cell."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


STRUCK_FONT = Font(strike=True, color="808080")
STRUCK_FILL = PatternFill("solid", fgColor="EDEDED")


@dataclass(frozen=True)
class Struck:
    """A value written struck through in grey (e.g. a mark dropped from a trimmed mean)."""

    value: Any


def _cell(worksheet, value, bold=False, fill=None):
    if isinstance(value, Struck):
        cell = _cell(worksheet, value.value, bold=bold, fill=STRUCK_FILL)
        cell.font = STRUCK_FONT
        return cell
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # Excel has no time zones; callers pass local time
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # stored text never makes an export fail
    cell = WriteOnlyCell(worksheet, value=value)
    if bold:
        cell.font = Font(bold=True)
    if fill is not None:
        cell.fill = fill
    return neutralise(cell)


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = ()


def write_workbook(sheets: Iterable[Sheet], target=None):
    """Stream sheets into an xlsx; returns the bytes when no target is given."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet.title[:31])
        for index, width in enumerate(sheet.widths):
            worksheet.column_dimensions[_letter(index)].width = width
        worksheet.append([_cell(worksheet, h, bold=True) for h in sheet.headers])
        for row in sheet.rows:
            worksheet.append([_cell(worksheet, v) for v in row])
    buffer = target if target is not None else io.BytesIO()
    workbook.save(buffer)
    if target is None:
        return buffer.getvalue()
    return None


def _letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def template_workbook(sheets: Sequence[tuple[str, Sequence[Column], Sequence[Sequence[Any]]]]):
    """A blank import template: bilingual headers and optional example rows."""
    return write_workbook(
        Sheet(title=name, headers=[c.header for c in columns], rows=examples, widths=[18] * len(columns))
        for name, columns, examples in sheets
    )


def error_report(results: Sequence[ReadResult], extra_errors: Sequence[tuple[str, RowError]] = ()):
    """The uploaded rows again, each bad row filled red with its reasons."""
    reason_header = "错误原因 errors"
    by_sheet = {}
    for result in results:
        by_sheet.setdefault(result.sheet, {})
        for error in result.errors:
            by_sheet[result.sheet].setdefault(error.row, []).append(str(error))
    for sheet_name, error in extra_errors:
        by_sheet.setdefault(sheet_name, {}).setdefault(error.row, []).append(str(error))

    workbook = Workbook(write_only=True)
    for result in results:
        worksheet = workbook.create_sheet(title=result.sheet[:31])
        errors = by_sheet.get(result.sheet, {})
        worksheet.append(
            [_cell(worksheet, reason_header, bold=True)] + [_cell(worksheet, h, bold=True) for h in result.headers]
        )
        sheet_level = errors.get(0) or errors.get(1)
        if sheet_level:
            worksheet.append([_cell(worksheet, "；".join(sheet_level), fill=ERROR_FILL)])
        for row_number, cells in result.raw:
            reasons = errors.get(row_number)
            fill = ERROR_FILL if reasons else None
            worksheet.append(
                [_cell(worksheet, f"第{row_number}行 row {row_number}: " + "；".join(reasons) if reasons else "", fill=fill)]
                + [_cell(worksheet, v, fill=fill) for v in cells]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- keeping a report for its owner to download


TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
REPORT_TTL_SECONDS = 24 * 3600


def stash_report(directory, owner_id, data):
    """Save a report only `owner_id` may fetch; returns its unguessable token."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - REPORT_TTL_SECONDS
    for old in folder.glob("*.xlsx"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{int(owner_id)}-{token}.xlsx").write_bytes(data)
    return token


def load_report(directory, owner_id, token):
    if not TOKEN_PATTERN.match(token or ""):
        return None
    path = Path(directory) / f"{int(owner_id)}-{token}.xlsx"
    if not path.is_file() or path.stat().st_mtime < time.time() - REPORT_TTL_SECONDS:
        return None
    return path.read_bytes()


def cell_date(value):
    """A date from an Excel date cell or a YYYY-MM-DD string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(_l("is not a date (YYYY-MM-DD)")) from None


