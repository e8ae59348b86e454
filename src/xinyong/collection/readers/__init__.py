"""Readers (文件读取): a department's CSV, XLSX or JSON file as batches of polars frames.

`open_table(path, item)` checks the file as a whole — size, format, encoding, structure, the
header row against the catalog item — and raises `ReadError` (a code and a Chinese message)
for anything that makes the file unreadable. It then returns a `Table` whose `batches()`
yield the rows. Nothing is evaluated: a cell starting with = + - @ is text, and an XLSX
formula gives the value Excel saved with it.

Every batch has `__row__` (Int64), one Utf8 column per mapped field code (in catalog order)
and `__raw__`. `__row__` is the row number the officer sees: for CSV the record number + 1
(the header is row 1; a record is what Excel shows as one row, even when a quoted value
holds line breaks), for XLSX the worksheet row number, for JSON the 1-based position in the
array. Field values are the cells as found, except: surrounding whitespace is stripped, an
empty value is null, Excel numbers are written without a trailing ".0" and without exponent,
Excel dates are "YYYY-MM-DD" (date-times "YYYY-MM-DD HH:MM:SS"), and a value that
`workbooks.neutralise` protected with a leading "'" (in a rejected-rows file we produced) is
restored. `__raw__` is the row as a JSON object {header: value as found}, covering every
column, read or not (keys are `Table.source_headers`). Rows whose cells are all empty are
skipped and counted in `Table.skipped_blank_rows`; a row of spaces is not empty (it reaches
validation). Control characters, NUL included, are kept for validation to reject.

`open_table` reads the data once to count rows and find structural errors (so `batches()`
does not fail half-way on a file that opened), and `batches()` reads it again. Memory stays
bounded: a CSV is read in chunks of about 4 MiB cut at record boundaries (a line break
outside double quotes), each parsed by polars, and rows with more values than headers are
an error unless the extra values are empty; a GB18030/GBK file is first transcoded to a
temporary UTF-8 file in 1 MiB steps; JSON is parsed one record at a time. An XLSX sheet is
held whole by calamine while the table is open (about 65 bytes a cell, so sheets declaring
more than XLSX_MAX_CELLS cells are refused: CSV has no such limit). Merged cells: only the
top-left cell of a merged range has the value, the other cells read as empty. The XLSX
sheet read is the one named after the item (name or code), else the first with data.
`Table.close()` (or `with`) releases the temporary file and the workbook.

Modules: `detect` (size, format, `open_table`), `table` (`ReadError`, `Table`, assembling
one), `frames` (source frames to batches), `encoding` (UTF-8 or GB18030), `csv_reader`,
`xlsx_reader` and `xlsx_zip` (checks on the archive itself), `json_reader` and `json_stream`
(the streaming parser), `limits` (every size limit and read step).
"""

from .detect import open_table
from .limits import DEFAULT_MAX_BYTES
from .table import ReadError, Table

__all__ = ["DEFAULT_MAX_BYTES", "ReadError", "Table", "open_table"]
