"""Reading uploaded CSV files: one decoder and one error for every import."""

import codecs


class CsvFileError(ValueError):
    """The file as a whole cannot be read or imported; the message says why."""


def csv_upload_text(data: bytes, *, max_bytes: int | None = None) -> str:
    """The text of an uploaded CSV file: UTF-8, with or without a byte-order mark."""
    if not data.strip():
        raise CsvFileError("The selected file is empty")
    if max_bytes is not None and len(data) > max_bytes:
        raise CsvFileError(f"The selected file must be smaller than {max_bytes // 1024}KB")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CsvFileError(
            "The selected file must be saved as CSV UTF-8: it contains characters that are "
            f"not UTF-8 (from byte {error.start + 1}). In Excel, choose Save As, "
            "then 'CSV UTF-8 (Comma delimited)'"
        ) from None
    if "\x00" in text:
        raise CsvFileError(
            "The selected file must be a CSV file: it looks like a spreadsheet or other "
            "non-text file"
        )
    return text
