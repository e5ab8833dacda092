"""The Carto-Langue spreadsheet: a workbook template an association or a certification centre fills in with
a desktop spreadsheet (Excel, LibreOffice), read back into the normalised records (records.py).

- `columns.py` declares the sheets, their French headers and the referentials of the drop-down lists;
- `template.py` writes the empty template (openpyxl), `writer.py` fills it with an existing offer;
- `reader.py` reads a filled template (.xlsx) or a one-entity CSV back into records: `workbook.py` walks the file
  into tables, `cells.py` parses each cell.

The layout is ours (no national standard describes a language offer in a spreadsheet); the "Mode d'emploi"
sheet of the template, generated from `columns.py`, documents it for the people who fill it in.
"""
