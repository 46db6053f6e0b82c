"""The Dataset Master Report (DSR, release RD1) in the COUNTER SUSHI JSON shape and in TSV.

JSON follows the COUNTER Research Data SUSHI report (``Report_Header`` with ``Report_Name``,
``Report_ID``, ``Release``, ``Created``, ``Created_By``, ``Report_Filters``,
``Report_Attributes``, ``Exceptions``; ``Report_Datasets`` with one item per dataset and access
method, ``Performance`` one entry per month, zero counts omitted). TSV follows COUNTER's
tabular layout: header rows, a blank row, then one row per dataset, access method and metric
with a ``Reporting_Period_Total`` and one column per month.

Both are produced as an iterator of byte chunks, item by item, so that a year's report for a
hundred thousand datasets (over 150 MB of JSON) is never held whole: the parts that repeat
(periods, metric names) are encoded once, and each item's own strings through orjson. The
bytes are those ``orjson.dumps`` gives for the whole document.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import orjson

from converge_impact.usage.repository import DatasetFacts, MonthlyRow

__all__ = ["METRICS", "DsrPeriod", "DsrRows", "dsr_json_chunks", "dsr_tsv_chunks"]

METRICS = (
    ("total-dataset-investigations", "total_investigations"),
    ("unique-dataset-investigations", "unique_investigations"),
    ("total-dataset-requests", "total_requests"),
    ("unique-dataset-requests", "unique_requests"),
)
CHUNK_ITEMS = 1000  # items per chunk: about a megabyte of JSON
_UNKNOWN = DatasetFacts(None, None, None, None)


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


@dataclass(frozen=True)
class DsrRows:
    """The monthly rows, ordered by dataset, access method and month, and what the report says
    of each dataset (a dataset without facts is reported by its id)."""

    rows: Sequence[MonthlyRow]
    datasets: Mapping[str, DatasetFacts]

    def __bool__(self) -> bool:
        return bool(self.rows)


@lru_cache(maxsize=1024)
def month_bounds(month: str) -> tuple[str, str]:
    year, mon = int(month[:4]), int(month[5:7])
    last = calendar.monthrange(year, mon)[1]
    return f"{month}-01", f"{month}-{last:02d}"


def _items(rows: Sequence[MonthlyRow]) -> Iterator[list[MonthlyRow]]:
    """The rows of each dataset and access method, in order."""
    group: list[MonthlyRow] = []
    for row in rows:
        if group and (group[0][1] != row[1] or group[0][2] != row[2]):
            yield group
            group = []
        group.append(row)
    if group:
        yield group


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


def _json_item_head(dataset_id: str, access: str, facts: DatasetFacts, period: DsrPeriod) -> bytes:
    """The item up to its ``Performance`` value: the keys in the report's order."""
    ids = [{"Type": "DOI", "Value": facts.doi}] if facts.doi else []
    ids.append({"Type": "Proprietary", "Value": f"{period.node_id}:{dataset_id}"})
    head = {
        "Dataset_Title": facts.title or dataset_id,
        "Dataset_ID": ids,
        "Platform": period.platform,
        "Publisher": facts.publisher or period.platform,
        "Data_Type": "dataset",
        "Access_Method": access,
    }
    return orjson.dumps(head)[:-1] + b',"Performance":['


_METRIC_NAMES = tuple(name.encode() for name, _ in METRICS)
_CACHED_COUNTS = 50_000  # per month: the usual small counts repeat across datasets


def _json_month(prefix: bytes, counts: Sequence[int]) -> bytes:
    instances = [
        b'{"Metric_Type":"%s","Count":%d}' % (name, count)
        for name, count in zip(_METRIC_NAMES, counts, strict=True)
        if count
    ]
    return prefix + b",".join(instances) + b"]}"


def dsr_json_chunks(report: DsrRows, period: DsrPeriod) -> Iterator[bytes]:
    """The report as COUNTER SUSHI JSON, in chunks of about a megabyte."""
    yield b'{"Report_Header":' + orjson.dumps(_header(period)) + b',"Report_Datasets":['
    prefixes = {
        month: b'{"Period":%s,"Instance":['
        % orjson.dumps(dict(zip(("Begin_Date", "End_Date"), month_bounds(month), strict=True)))
        for month in period.months
    }
    # a month's entry depends only on its four counts, and most are small: encoded once each
    encoded: dict[str, dict[Sequence[int], bytes]] = {month: {} for month in period.months}
    parts: list[bytes] = []
    separator = b""
    for group in _items(report.rows):
        _, dataset_id, access, *_ = group[0]
        facts = report.datasets.get(dataset_id, _UNKNOWN)
        performance: list[bytes] = []
        for row in group:
            known = encoded.get(row[0])
            if known is None:
                continue
            counts = row[3:7]
            entry = known.get(counts)
            if entry is None:
                entry = _json_month(prefixes[row[0]], counts)
                if len(known) < _CACHED_COUNTS:
                    known[counts] = entry
            performance.append(entry)
        year = b',"YOP":"%d"' % facts.publication_year if facts.publication_year else b""
        head = _json_item_head(dataset_id, access, facts, period)
        parts.append(b"%s%s%s]%s}" % (separator, head, b",".join(performance), year))
        separator = b","
        if len(parts) >= CHUNK_ITEMS:
            yield b"".join(parts)
            parts = []
    parts.append(b"]}")
    yield b"".join(parts)


def _clean(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def dsr_tsv_chunks(report: DsrRows, period: DsrPeriod) -> Iterator[bytes]:
    """The report as COUNTER's tab-separated layout, UTF-8, in chunks."""
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
    lines = [f"{name}\t{_clean(value)}\n" for name, value in header]
    lines.append("\n")
    month_names = [
        datetime.strptime(m, "%Y-%m").replace(tzinfo=UTC).strftime("%b-%Y") for m in period.months
    ]
    columns = [
        "Dataset_Title", "Publisher", "Platform", "DOI", "Proprietary_ID", "YOP", "Data_Type",
        "Access_Method", "Metric_Type", "Reporting_Period_Total", *month_names,
    ]  # fmt: skip
    lines.append("\t".join(columns) + "\n")
    position = {month: i for i, month in enumerate(period.months)}
    platform = _clean(period.platform)
    for items, group in enumerate(_items(report.rows), start=1):
        _, dataset_id, access, *_ = group[0]
        facts = report.datasets.get(dataset_id, _UNKNOWN)
        fixed = "\t".join(
            _clean(cell)
            for cell in (
                facts.title or dataset_id,
                facts.publisher or period.platform,
                platform,
                facts.doi or "",
                f"{period.node_id}:{dataset_id}",
                facts.publication_year or "",
                "dataset",
                access,
            )
        )
        by_metric = [[0] * len(position) for _ in METRICS]
        for row in group:
            at = position.get(row[0])
            if at is not None:
                for values, count in zip(by_metric, row[3:7], strict=True):
                    values[at] = count
        for (name, _), values in zip(METRICS, by_metric, strict=True):
            if any(values):
                cells = "\t".join(map(str, values))
                lines.append(f"{fixed}\t{name}\t{sum(values)}\t{cells}\n")
        if items % CHUNK_ITEMS == 0:
            yield "".join(lines).encode()
            lines = []
    yield "".join(lines).encode()
