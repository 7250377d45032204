"""Google Sheets' state: spreadsheets, their sheets and cells, A1 ranges, the per-user quota,
and helpers for tests (:func:`create_spreadsheet`, :func:`set_rows`, :func:`rows`,
:func:`spreadsheets`).

Cells hold str, number or bool; None is an empty cell. ``RAW`` input is stored as sent,
``USER_ENTERED`` input is parsed as the Sheets UI would (numbers, TRUE/FALSE, a leading ``'``
keeps text); formulas are stored as their text and never evaluated.
https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values
"""

from __future__ import annotations

import re
import secrets
import string
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F

from .models import SheetsQuota, SheetsSheet, SheetsSpreadsheet

DEFAULT_SHEET = "Sheet1"
DEFAULT_TITLE = "Untitled spreadsheet"
DEFAULT_ROWS, DEFAULT_COLUMNS = 1000, 26
ID_ALPHABET = string.ascii_letters + string.digits + "-_"
NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?")
CELL = re.compile(r"([A-Za-z]*)(\d*)")


class Invalid(Exception):
    """A request Sheets refuses with 400 and this message."""


# A1 notation


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_index(letters: str) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def quote_sheet(title: str) -> str:
    """The sheet name as Sheets writes it in a range: quoted unless a plain word."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title)
    if plain and not re.fullmatch(r"[A-Za-z]{1,3}\d+|[Rr]\d+(?:[Cc]\d+)?|[Cc]\d+", title):
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass
class Range:
    """A resolved range: 0-based inclusive bounds; ``row_end``/``col_end`` None = to the grid's
    end. ``single`` when the range names one cell (writes may spill from it)."""

    sheet: SheetsSheet
    row: int = 0
    col: int = 0
    row_end: int | None = None
    col_end: int | None = None
    single: bool = False

    def bounded(self) -> tuple[int, int]:
        """The last row and column, the grid's end standing in for an open end."""
        row_end = self.sheet.row_count - 1 if self.row_end is None else self.row_end
        col_end = self.sheet.column_count - 1 if self.col_end is None else self.col_end
        return row_end, col_end

    def a1(self) -> str:
        row_end, col_end = self.bounded()
        return a1(self.sheet.title, self.row, self.col, row_end, col_end)


def a1(title: str, row: int, col: int, row_end: int, col_end: int) -> str:
    start = f"{column_letters(col)}{row + 1}"
    end = f"{column_letters(col_end)}{row_end + 1}"
    return f"{quote_sheet(title)}!{start}" + ("" if start == end else f":{end}")


def _split_sheet(text: str) -> tuple[str | None, str]:
    """(sheet name or None, cell part) of ``'My Sheet'!A1:B2`` / ``Sheet1!A:A`` / ``A1``."""
    if text.startswith("'"):
        match = re.fullmatch(r"'((?:[^']|'')*)'(?:!(.*))?", text, re.S)
        if not match:
            raise ValueError
        return match[1].replace("''", "'"), match[2] or ""
    if "!" in text:
        sheet, _, cells = text.rpartition("!")
        return sheet, cells
    return None, text


def _parse_cells(cells: str) -> tuple[int, int, int | None, int | None, bool]:
    first, colon, second = cells.partition(":")
    start = CELL.fullmatch(first)
    end = CELL.fullmatch(second) if colon else start
    if not start or not end or not (first and (second or not colon)):
        raise ValueError
    (c0, r0), (c1, r1) = start.groups(), end.groups()
    if colon and bool(c0) != bool(c1) and bool(r0) != bool(r1) and not (c0 and r0):
        raise ValueError  # A:1 and the like
    if not colon and not (c0 and r0):
        raise ValueError  # a lone "A" or "1"
    if (r0 and int(r0) < 1) or (r1 and int(r1) < 1):
        raise ValueError
    row = int(r0) - 1 if r0 else 0
    col = column_index(c0) if c0 else 0
    row_end = int(r1) - 1 if r1 else None
    col_end = column_index(c1) if c1 else None
    if row_end is not None and row_end < row:
        row, row_end = row_end, row
    if col_end is not None and col_end < col:
        col, col_end = col_end, col
    return row, col, row_end, col_end, not colon


def _sheet_named(book: SheetsSpreadsheet, title: str) -> SheetsSheet | None:
    return next((s for s in book.sheets.all() if s.title.lower() == title.lower()), None)


def parse_range(book: SheetsSpreadsheet, text: str) -> Range:
    """The range ``text`` of the spreadsheet; raises Invalid("Unable to parse range: ...")."""
    invalid = Invalid(f"Unable to parse range: {text}")
    try:
        sheet_name, cells = _split_sheet(text.strip())
    except ValueError:
        raise invalid from None
    if sheet_name is None:
        sheet = _sheet_named(book, cells)
        if sheet is not None:
            return Range(sheet)
        sheet = book.sheets.order_by("index", "id").first()
    else:
        sheet = _sheet_named(book, sheet_name)
    if sheet is None:
        raise invalid
    if not cells:
        return Range(sheet)
    try:
        row, col, row_end, col_end, single = _parse_cells(cells)
    except ValueError:
        raise invalid from None
    return Range(sheet, row, col, row_end, col_end, single)


def check_grid(rng: Range) -> None:
    """Sheets refuses a range reaching past the sheet's grid."""
    row_end, col_end = rng.bounded()
    if row_end >= rng.sheet.row_count or col_end >= rng.sheet.column_count:
        raise Invalid(
            f"Range ({rng.a1()}) exceeds grid limits. Max rows: {rng.sheet.row_count}, "
            f"max columns: {rng.sheet.column_count}"
        )


# Cells


def _blank(value) -> bool:
    return value is None or value == ""


def trim(grid: list[list]) -> list[list]:
    """Trailing empty cells of each row and trailing empty rows dropped."""
    out = []
    for row in grid:
        row = list(row)
        while row and _blank(row[-1]):
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def user_entered(value):
    """A value as typed into the Sheets UI: numbers and TRUE/FALSE are parsed."""
    if not isinstance(value, str):
        return value
    if value.startswith("'"):
        return value[1:]
    text = value.strip()
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE"
    if text and NUMBER.fullmatch(text) and any(ch.isdigit() for ch in text):
        number = float(text.replace(",", ""))
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return value


def stored(value, input_option: str):
    """The cell a written value becomes."""
    if isinstance(value, (dict, list)):
        raise Invalid(f"Invalid values: {value!r} is not a string, number or boolean.")
    if input_option == "USER_ENTERED":
        value = user_entered(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    return None if value == "" else value


def render(value, option: str):
    """A cell as a read with ``valueRenderOption`` answers it."""
    if option in ("UNFORMATTED_VALUE", "FORMULA") or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def read(rng: Range, render_option: str = "FORMATTED_VALUE", major: str = "ROWS") -> list[list]:
    """The range's values, trimmed as Sheets answers them."""
    row_end, col_end = rng.bounded()
    grid = []
    for row in rng.sheet.cells[rng.row : row_end + 1]:
        cells = row[rng.col : col_end + 1]
        grid.append([None if _blank(v) else render(v, render_option) for v in cells])
    if major == "COLUMNS":
        width = max((len(row) for row in grid), default=0)
        grid = [[row[c] if c < len(row) else None for row in grid] for c in range(width)]
    return [["" if v is None else v for v in row] for row in trim(grid)]


def write(rng: Range, values: list[list], input_option: str, *, grow: bool = False) -> dict:
    """Write ``values`` (rows) from the range's top-left cell; None cells are left as they are.
    Returns Sheets' update counts. The caller saves the sheet."""
    if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
        raise Invalid("Invalid values: expected a list of rows.")
    sheet = rng.sheet
    height = len(values)
    width = max((len(row) for row in values), default=0)
    if not height or not width:
        return {"updatedRange": a1(sheet.title, rng.row, rng.col, rng.row, rng.col)}
    last_row, last_col = rng.row + height - 1, rng.col + width - 1
    if not rng.single:
        row_end, col_end = rng.bounded()
        if last_row > row_end or last_col > col_end:
            wanted = a1(sheet.title, rng.row, rng.col, row_end, col_end)
            where = (
                f"row [{last_row + 1}]"
                if last_row > row_end
                else f"column [{column_letters(last_col)}]"
            )
            raise Invalid(
                f"Requested writing within range [{wanted}], but tried writing to {where}"
            )
    if grow:
        sheet.row_count = max(sheet.row_count, last_row + 1)
        sheet.column_count = max(sheet.column_count, last_col + 1)
    elif last_row >= sheet.row_count or last_col >= sheet.column_count:
        check_grid(Range(sheet, rng.row, rng.col, last_row, last_col))
    cells = [list(row) for row in sheet.cells]
    updated_rows, updated_cols, count = set(), set(), 0
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            if value is None:
                continue
            y, x = rng.row + r, rng.col + c
            while len(cells) <= y:
                cells.append([])
            while len(cells[y]) <= x:
                cells[y].append(None)
            cells[y][x] = stored(value, input_option)
            updated_rows.add(y)
            updated_cols.add(x)
            count += 1
    sheet.cells = trim(cells)
    return {
        "updatedRange": a1(sheet.title, rng.row, rng.col, last_row, last_col),
        "updatedRows": len(updated_rows),
        "updatedColumns": len(updated_cols),
        "updatedCells": count,
    }


def clear(rng: Range) -> None:
    row_end, col_end = rng.bounded()
    cells = [list(row) for row in rng.sheet.cells]
    for y in range(rng.row, min(row_end + 1, len(cells))):
        for x in range(rng.col, min(col_end + 1, len(cells[y]))):
            cells[y][x] = None
    rng.sheet.cells = trim(cells)


def table(rng: Range) -> tuple[int, int, int] | None:
    """(first row, last row, last column) of the data in the range's columns from its first
    row: the table values.append writes after; None when there is no data."""
    _, col_end = rng.bounded()
    first = last = last_col = None
    for y, row in enumerate(rng.sheet.cells[rng.row :], start=rng.row):
        filled = [x for x in range(rng.col, min(col_end + 1, len(row))) if not _blank(row[x])]
        if filled:
            first = y if first is None else first
            last, last_col = y, max(last_col or 0, filled[-1])
    return None if first is None else (first, last, last_col)


def insert_rows(sheet: SheetsSheet, at: int, count: int) -> None:
    cells = [list(row) for row in sheet.cells]
    if at < len(cells):
        cells[at:at] = [[] for _ in range(count)]
    sheet.cells = trim(cells)
    sheet.row_count += count


# Spreadsheets


def new_spreadsheet_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(44))


def new_sheet_id(book: SheetsSpreadsheet) -> int:
    taken = set(book.sheets.values_list("sheet_id", flat=True))
    while True:
        sheet_id = secrets.randbelow(2**31 - 1) + 1
        if sheet_id not in taken:
            return sheet_id


def add_sheet(book: SheetsSpreadsheet, properties: dict | None = None) -> SheetsSheet:
    """A new sheet from Sheets' SheetProperties; raises Invalid for a taken name or id."""
    properties = properties or {}
    sheets = list(book.sheets.all())
    title = properties.get("title") or f"Sheet{len(sheets) + 1}"
    while not properties.get("title") and _sheet_named(book, title):
        title = f"Sheet{int(title[5:]) + 1}"
    if not isinstance(title, str):
        raise Invalid("Invalid sheet title.")
    if _sheet_named(book, title):
        raise Invalid(f'A sheet with the name "{title}" already exists. Please enter another name.')
    sheet_id = properties.get("sheetId")
    if sheet_id is None:
        sheet_id = 0 if not sheets else new_sheet_id(book)
    elif any(s.sheet_id == int(sheet_id) for s in sheets):
        raise Invalid(f"Sheet with id {sheet_id} already exists.")
    grid = properties.get("gridProperties") or {}
    index = min(int(properties.get("index", len(sheets))), len(sheets))
    book.sheets.filter(index__gte=index).update(index=F("index") + 1)
    return SheetsSheet.objects.create(
        spreadsheet=book,
        sheet_id=int(sheet_id),
        title=title,
        index=index,
        row_count=int(grid.get("rowCount", DEFAULT_ROWS)),
        column_count=int(grid.get("columnCount", DEFAULT_COLUMNS)),
    )


def delete_sheet(book: SheetsSpreadsheet, sheet_id: int) -> None:
    sheet = book.sheets.filter(sheet_id=sheet_id).first()
    if sheet is None:
        raise Invalid(f"No grid with id: {sheet_id}")
    if book.sheets.count() == 1:
        raise Invalid("You can't remove all the sheets in a document.")
    sheet.delete()
    book.sheets.filter(index__gt=sheet.index).update(index=F("index") - 1)


def sheet_properties(sheet: SheetsSheet) -> dict:
    return {
        "sheetId": sheet.sheet_id,
        "title": sheet.title,
        "index": sheet.index,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": sheet.row_count, "columnCount": sheet.column_count},
    }


def resource(book: SheetsSpreadsheet) -> dict:
    """The Spreadsheet resource (without grid data)."""
    return {
        "spreadsheetId": book.spreadsheet_id,
        "properties": {
            "title": book.title,
            "locale": book.locale,
            "autoRecalc": "ON_CHANGE",
            "timeZone": book.time_zone,
        },
        "sheets": [{"properties": sheet_properties(s)} for s in book.sheets.all()],
        "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.spreadsheet_id}/edit",
    }


def create(email: str, body: dict) -> SheetsSpreadsheet:
    """A spreadsheet from a Spreadsheet resource (``properties.title``, ``sheets``)."""
    properties = body.get("properties") or {}
    book = SheetsSpreadsheet.objects.create(
        spreadsheet_id=new_spreadsheet_id(),
        owner=email.strip().lower(),
        title=properties.get("title") or DEFAULT_TITLE,
        locale=properties.get("locale") or "en_US",
        time_zone=properties.get("timeZone") or "Etc/GMT",
    )
    for sheet in body.get("sheets") or [{}]:
        add_sheet(book, (sheet or {}).get("properties"))
    return book


def charge(email: str, kind: str) -> bool:
    """Count one read or write request of the user in this minute; False when over
    settings.SANDBOX_SHEETS_READS_PER_MINUTE / SANDBOX_SHEETS_WRITES_PER_MINUTE (0: no limit;
    Google's default is 60 per minute per user)."""
    limit = getattr(settings, f"SANDBOX_SHEETS_{kind.upper()}S_PER_MINUTE", 0)
    if not limit:
        return True
    minute = int(time.time() // 60)
    email = email.strip().lower()
    SheetsQuota.objects.get_or_create(email=email, kind=kind)
    quota = SheetsQuota.objects.filter(email=email, kind=kind)
    for _attempt in (1, 2):  # a concurrent request may start the new minute between the two
        if quota.filter(minute=minute, used__lt=limit).update(used=F("used") + 1):
            return True
        if quota.exclude(minute=minute).update(minute=minute, used=1):
            return True
    return False


# Helpers for tests and seeding


def create_spreadsheet(
    email: str, title: str = DEFAULT_TITLE, rows: list[list] | None = None, sheet: str = "Sheet1"
) -> str:
    """A spreadsheet of ``email`` with one sheet holding ``rows`` (stored RAW); its id."""
    book = create(
        email, {"properties": {"title": title}, "sheets": [{"properties": {"title": sheet}}]}
    )
    if rows:
        set_rows(book.spreadsheet_id, sheet, rows)
    return book.spreadsheet_id


def _sheet(spreadsheet_id: str, sheet: str) -> SheetsSheet:
    return SheetsSheet.objects.get(spreadsheet__spreadsheet_id=spreadsheet_id, title=sheet)


def set_rows(spreadsheet_id: str, sheet: str, rows: list[list]) -> None:
    """Replace the sheet's cells with ``rows`` (values stored as given), adding the sheet if the
    spreadsheet has none of that name."""
    book = SheetsSpreadsheet.objects.get(spreadsheet_id=spreadsheet_id)
    target = _sheet_named(book, sheet) or add_sheet(book, {"title": sheet})
    target.cells = trim([[None if _blank(v) else v for v in row] for row in rows])
    target.row_count = max(target.row_count, len(rows))
    target.column_count = max(target.column_count, max((len(r) for r in rows), default=0))
    target.save()


def rows(spreadsheet_id: str, sheet: str = "Sheet1") -> list[list]:
    """The sheet's cells as stored (numbers as numbers), trailing blanks trimmed, "" for an
    empty cell inside a row."""
    return [
        ["" if v is None else v for v in row] for row in trim(_sheet(spreadsheet_id, sheet).cells)
    ]


def spreadsheets(email: str) -> list[str]:
    """The ids of the user's spreadsheets, oldest first."""
    owned = SheetsSpreadsheet.objects.filter(owner=email.strip().lower())
    return list(owned.order_by("id").values_list("spreadsheet_id", flat=True))
