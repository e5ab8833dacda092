class ImportFileError(Exception):
    """The whole file cannot be read (unreadable, wrong format, wrong namespace): one clear line, located."""


class RecordError(Exception):
    """A record that cannot be stored; the message is the reason given in the report."""
