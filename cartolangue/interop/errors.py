class ImportFileError(Exception):
    """The whole file cannot be read (unreadable, wrong format, wrong namespace): one clear line, located."""
