"""Errors the library raises for bad input: each names the file, row and field."""

from __future__ import annotations


class SharppowerError(Exception):
    """Base class: a user-facing error with a message fit to print as is."""


class InputError(SharppowerError):
    """Bad input data: names the file, the row (1-based, as a spreadsheet shows it) and the field."""

    def __init__(self, file: str, message: str, row: int | str | None = None, field: str | None = None):
        self.file, self.row, self.field, self.detail = str(file), row, field, message
        where = [self.file]
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {message}")


class ValidationError(SharppowerError):
    """A record or document that breaks the codebook's or a schema's rules (names the field)."""

    def __init__(self, field: str, message: str, where: str | None = None):
        self.field, self.detail, self.where = field, message, where
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}field '{field}': {message}")


class ChecksumChanged(SharppowerError):
    """A new download differs from the stored snapshot and --update was not given."""


class NotFound(SharppowerError):
    """A requested record, source or country does not exist."""


class StaleVersion(SharppowerError):
    """A write named a version of a record that is no longer current (HTTP 412)."""

    def __init__(self, what: str, expected: str, current: str):
        self.expected, self.current = expected, current
        super().__init__(f"{what} changed since version {expected!r} (now {current!r}); "
                         "read it again and reapply your change")
