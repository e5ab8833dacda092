class ImportFileError(Exception):
    """The whole file cannot be read (unreadable, wrong format, wrong namespace): one clear line, located."""


class RecordError(Exception):
    """A record that cannot be stored; the message is the reason given in the report."""

    kind = "error"


class OutsideTerritoryError(RecordError):
    """A record whose place is outside Île-de-France (the loaded territories): left out by design, not an error
    in the file. National files (data·inclusion, DOKELIO) hold such records: the report counts them apart."""

    kind = "outside"
