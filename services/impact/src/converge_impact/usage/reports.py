"""The Dataset Master Report (DSR, release RD1) in the COUNTER SUSHI JSON shape and in TSV.

JSON follows the COUNTER Research Data SUSHI report (``Report_Header`` with ``Report_Name``,
``Report_ID``, ``Release``, ``Created``, ``Created_By``, ``Report_Filters``,
``Report_Attributes``, ``Exceptions``; ``Report_Datasets`` with one item per dataset and access
method, ``Performance`` one entry per month, zero counts omitted). TSV follows COUNTER's
tabular layout: header rows, a blank row, then one row per dataset, access method and metric
with a ``Reporting_Period_Total`` and one column per month.
"""

from __future__ import annotations

import calendar
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from converge_impact.usage.repository import MonthlyRow

__all__ = ["METRICS", "DsrPeriod", "dsr_json", "dsr_tsv"]

METRICS = (
    ("total-dataset-investigations", "total_investigations"),
    ("unique-dataset-investigations", "unique_investigations"),
    ("total-dataset-requests", "total_requests"),
    ("unique-dataset-requests", "unique_requests"),
)


@dataclass(frozen=True)
class DsrPeriod:
    begin: date  # first day of the first month
    end: date  # last day of the last month
    months: tuple[str, ...]
    exceptions: tuple[dict[str, Any], ...]
    created: datetime
    created_by: str
    platform: str
    node_id: str


@lru_cache(maxsize=1024)
def month_bounds(month: str) -> tuple[str, str]:
    year, mon = int(month[:4]), int(month[5:7])
    last = calendar.monthrange(year, mon)[1]
    return f"{month}-01", f"{month}-{last:02d}"


Rows = Sequence[MonthlyRow]


def _items(rows: Rows) -> list[tuple[MonthlyRow, dict[str, MonthlyRow]]]:
    """(first row, {month: row}) per dataset and access method, in that order."""
    out: list[tuple[MonthlyRow, dict[str, MonthlyRow]]] = []
    for row in rows:
        if not out or (out[-1][0].dataset_id, out[-1][0].access_method) != (
            row.dataset_id,
            row.access_method,
        ):
            out.append((row, {}))
        out[-1][1][row.month] = row
    return out


def _ids(dataset: MonthlyRow, node_id: str) -> list[dict[str, str]]:
    ids = []
    if dataset.doi:
        ids.append({"Type": "DOI", "Value": dataset.doi})
    ids.append({"Type": "Proprietary", "Value": f"{node_id}:{dataset.dataset_id}"})
    return ids


def _header(period: DsrPeriod) -> dict[str, Any]:
    return {
        "Report_Name": "Dataset Master Report",
        "Report_ID": "DSR",
        "Release": "RD1",
        "Created": period.created.isoformat().replace("+00:00", "Z"),
        "Created_By": period.created_by,
        "Report_Filters": [
            {"Name": "Begin_Date", "Value": period.begin.isoformat()},
            {"Name": "End_Date", "Value": period.end.isoformat()},
            {"Name": "Data_Type", "Value": "dataset"},
        ],
        "Report_Attributes": [{"Name": "Attributes_To_Show", "Value": "Access_Method"}],
        "Exceptions": list(period.exceptions),
    }


def dsr_json(rows: Rows, period: DsrPeriod) -> dict[str, Any]:
    datasets = []
    for dataset, by_month in _items(rows):
        performance = []
        for month in period.months:
            counts = by_month.get(month)
            if counts is None:
                continue
            instances = [
                {"Metric_Type": name, "Count": getattr(counts, column)}
                for name, column in METRICS
                if getattr(counts, column)
            ]
            begin, end = month_bounds(month)
            performance.append(
                {"Period": {"Begin_Date": begin, "End_Date": end}, "Instance": instances}
            )
        item: dict[str, Any] = {
            "Dataset_Title": dataset.title or dataset.dataset_id,
            "Dataset_ID": _ids(dataset, period.node_id),
            "Platform": period.platform,
            "Publisher": dataset.publisher or period.platform,
            "Data_Type": "dataset",
            "Access_Method": dataset.access_method,
            "Performance": performance,
        }
        if dataset.publication_year:
            item["YOP"] = str(dataset.publication_year)
        datasets.append(item)
    return {"Report_Header": _header(period), "Report_Datasets": datasets}


def _clean(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def dsr_tsv(rows: Rows, period: DsrPeriod) -> str:
    out = io.StringIO()
    exceptions = "; ".join(f"{e['Code']}: {e['Message']}" for e in period.exceptions)
    header = [
        ("Report_Name", "Dataset Master Report"),
        ("Report_ID", "DSR"),
        ("Release", "RD1"),
        ("Institution_Name", ""),
        ("Institution_ID", ""),
        ("Metric_Types", "; ".join(name for name, _ in METRICS)),
        ("Report_Filters", f"Data_Type=dataset; Begin_Date={period.begin}; End_Date={period.end}"),
        ("Report_Attributes", "Attributes_To_Show=Access_Method"),
        ("Exceptions", exceptions),
        ("Reporting_Period", f"Begin_Date={period.begin}; End_Date={period.end}"),
        ("Created", period.created.isoformat().replace("+00:00", "Z")),
        ("Created_By", period.created_by),
    ]
    for name, value in header:
        out.write(f"{name}\t{_clean(value)}\n")
    out.write("\n")
    month_names = [
        datetime.strptime(m, "%Y-%m").replace(tzinfo=UTC).strftime("%b-%Y") for m in period.months
    ]
    columns = [
        "Dataset_Title", "Publisher", "Platform", "DOI", "Proprietary_ID", "YOP", "Data_Type",
        "Access_Method", "Metric_Type", "Reporting_Period_Total", *month_names,
    ]  # fmt: skip
    out.write("\t".join(columns) + "\n")
    for dataset, by_month in _items(rows):
        fixed = [
            dataset.title or dataset.dataset_id,
            dataset.publisher or period.platform,
            period.platform,
            dataset.doi or "",
            f"{period.node_id}:{dataset.dataset_id}",
            dataset.publication_year or "",
            "dataset",
            dataset.access_method,
        ]
        for name, column in METRICS:
            values = [getattr(by_month[m], column) if m in by_month else 0 for m in period.months]
            if not any(values):
                continue
            cells = [*fixed, name, sum(values), *values]
            out.write("\t".join(_clean(c) for c in cells) + "\n")
    return out.getvalue()
