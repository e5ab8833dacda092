"""Filling the template as a person would, and running the import."""

import io
import json

import openpyxl
from django.core.management import call_command


def fill(template_path, out_path, sheets):
    """Fill the template as a person would in Excel: {sheet title: [{header: value}]}, from row 2."""
    wb = openpyxl.load_workbook(template_path)
    for title, rows in sheets.items():
        ws = wb[title]
        headers = {cell.value: cell.column for cell in ws[1]}
        for number, row in enumerate(rows, start=2):
            for header, value in row.items():
                ws.cell(row=number, column=headers[header], value=value)
    wb.save(out_path)
    return out_path


def import_report(path, tmp_path, *args):
    """Run import_spreadsheet and return its JSON report."""
    report = tmp_path / "rapport.json"
    call_command(
        "import_spreadsheet",
        str(path),
        *args,
        "--report-json",
        str(report),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    return json.loads(report.read_text(encoding="utf-8"))


def counts(report):
    return {k: report[k] for k in ("created", "updated", "unchanged", "rejected")}
