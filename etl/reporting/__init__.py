"""Reporting and BI: the sql/ reports, data checks, full-text search, a read-only role and Datasette.

Library functions (no click here) so a notebook can call them as the CLI does.
"""
