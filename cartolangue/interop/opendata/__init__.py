"""Open data export of the language offer: CSV (RFC 4180, UTF-8) and GeoJSON (RFC 7946) files of structures,
places, courses, sessions and exam sessions, with their data dictionary and a README (Licence Ouverte 2.0).

`dictionary.py` declares every file and column (French names and descriptions, referential values);
`writer.py` turns them into files, streams and a zip.
"""
