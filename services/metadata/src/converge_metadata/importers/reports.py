"""An import report as CSV, for a spreadsheet: the counts, then one row per problem."""

from __future__ import annotations

import csv
import io

from converge_metadata.importers.schemas import ImportReport

__all__ = ["CSV_COLUMNS", "report_csv"]

CSV_COLUMNS = ("kind", "position", "identifier", "pointer", "rule", "detail")
# a cell starting with one of these is a formula to a spreadsheet; the report echoes source data
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def report_csv(report: ImportReport) -> str:
    """``kind`` is ``count`` (``rule`` names the count, ``detail`` its value), ``rejected`` (one
    row per reason a record was rejected) or ``warning``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    counts = ("imported", "created", "updated", "unchanged", "drafts")
    for name in counts:
        writer.writerow(["count", "", "", "", name, getattr(report, name)])
    writer.writerow(["count", "", "", "", "rejected", len(report.rejected)])
    for rejected in report.rejected:
        for error in rejected.errors:
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        "rejected",
                        rejected.position,
                        rejected.identifier,
                        error.pointer,
                        error.rule,
                        error.detail,
                    )
                ]
            )
    for warning in report.warnings:
        writer.writerow(
            [
                _cell(v)
                for v in ("warning", warning.position, warning.identifier, "", "", warning.detail)
            ]
        )
    return out.getvalue()
