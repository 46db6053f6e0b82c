"""The streamed DSR: the same bytes as encoding the whole document at once, for strings that
need escaping, datasets without facts, zero counts and reports of many chunks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson
from converge_impact.usage.reports import (
    CHUNK_ITEMS,
    DsrPeriod,
    DsrRows,
    dsr_json_chunks,
    dsr_tsv_chunks,
)
from converge_impact.usage.repository import DatasetFacts, MonthlyRow

PERIOD = DsrPeriod(
    begin=date(2025, 1, 1),
    end=date(2025, 3, 31),
    months=("2025-01", "2025-02", "2025-03"),
    exceptions=(),
    created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    created_by="CONVERGE impact (xx)",
    platform="Demo \u00e9",
    node_id="xx",
)
FACTS = {
    "a": DatasetFacts('10.1/"q"\\', 'Quote " back \\ tab\tnew\nline \u2028 \U0001f9ec', None, 2020),
    "b": DatasetFacts(None, "", "Pub\x01lisher", 0),
}
ROWS: list[MonthlyRow] = [
    ("2025-01", "a", "Machine", 3, 1, 0, 0),
    ("2025-03", "a", "Machine", 1, 1, 1, 1),
    ("2025-02", "a", "Regular", 0, 0, 0, 0),
    ("2025-02", "b", "Regular", 7, 2, 5, 0),
    ("2025-01", "c\u00e9", "Regular", 1, 1, 1, 1),  # no facts: reported by its id
]


def whole_document(rows: list[MonthlyRow], facts: dict[str, DatasetFacts]) -> bytes:
    """The report written out directly, item by item as the Code of Practice lays it out."""
    names = [
        "total-dataset-investigations",
        "unique-dataset-investigations",
        "total-dataset-requests",
        "unique-dataset-requests",
    ]
    ends = {"2025-01": "2025-01-31", "2025-02": "2025-02-28", "2025-03": "2025-03-31"}
    items: list[dict[str, Any]] = []
    for month, dataset_id, access, *counts in rows:
        known = facts.get(dataset_id, DatasetFacts(None, None, None, None))
        if not items or (items[-1]["_id"], items[-1]["Access_Method"]) != (dataset_id, access):
            ids = [{"Type": "DOI", "Value": known.doi}] if known.doi else []
            items.append(
                {
                    "_id": dataset_id,
                    "Dataset_Title": known.title or dataset_id,
                    "Dataset_ID": [*ids, {"Type": "Proprietary", "Value": f"xx:{dataset_id}"}],
                    "Platform": PERIOD.platform,
                    "Publisher": known.publisher or PERIOD.platform,
                    "Data_Type": "dataset",
                    "Access_Method": access,
                    "Performance": [],
                }
            )
            if known.publication_year:
                items[-1]["YOP"] = str(known.publication_year)
        items[-1]["Performance"].append(
            {
                "Period": {"Begin_Date": f"{month}-01", "End_Date": ends[month]},
                "Instance": [
                    {"Metric_Type": name, "Count": count}
                    for name, count in zip(names, counts, strict=True)
                    if count
                ],
            }
        )
    for item in items:
        del item["_id"]
    header = {
        "Report_Name": "Dataset Master Report",
        "Report_ID": "DSR",
        "Release": "RD1",
        "Created": "2026-01-02T03:04:05Z",
        "Created_By": "CONVERGE impact (xx)",
        "Report_Filters": [
            {"Name": "Begin_Date", "Value": "2025-01-01"},
            {"Name": "End_Date", "Value": "2025-03-31"},
            {"Name": "Data_Type", "Value": "dataset"},
        ],
        "Report_Attributes": [{"Name": "Attributes_To_Show", "Value": "Access_Method"}],
        "Exceptions": [],
    }
    return orjson.dumps({"Report_Header": header, "Report_Datasets": items})


class TestJson:
    def test_same_bytes_as_the_whole_document(self) -> None:
        streamed = b"".join(dsr_json_chunks(DsrRows(ROWS, FACTS), PERIOD))
        assert streamed == whole_document(ROWS, FACTS)
        items = orjson.loads(streamed)["Report_Datasets"]
        assert items[0]["Dataset_Title"] == FACTS["a"].title
        assert items[1]["Performance"][0]["Instance"] == []
        assert "YOP" not in items[2]
        assert items[3]["Dataset_Title"] == "c\u00e9"

    def test_many_chunks(self) -> None:
        rows: list[MonthlyRow] = [
            (month, f"d{i:05d}", "Regular", i % 4, i % 3, i % 2, 0)
            for i in range(CHUNK_ITEMS * 2 + 7)
            for month in ("2025-01", "2025-03")
        ]
        chunks = list(dsr_json_chunks(DsrRows(rows, {}), PERIOD))
        assert len(chunks) == 4  # the header, two full chunks, the rest
        assert b"".join(chunks) == whole_document(rows, {})

    def test_no_rows(self) -> None:
        streamed = b"".join(dsr_json_chunks(DsrRows([], {}), PERIOD))
        assert orjson.loads(streamed)["Report_Datasets"] == []


class TestTsv:
    def test_cells_are_cleaned_and_months_filled(self) -> None:
        text = b"".join(dsr_tsv_chunks(DsrRows(ROWS, FACTS), PERIOD)).decode()
        lines = text.split("\n")
        assert lines[13].split("\t")[-4:] == [
            "Reporting_Period_Total",
            "Jan-2025",
            "Feb-2025",
            "Mar-2025",
        ]
        first = lines[14].split("\t")
        assert first[0] == 'Quote " back \\ tab new line \U0001f9ec'
        assert first[1:5] == ["Demo \u00e9", "Demo \u00e9", '10.1/"q"\\', "xx:a"]
        assert first[8:] == ["total-dataset-investigations", "4", "3", "0", "1"]
        rows = [line.split("\t") for line in lines[14:] if line]
        # the all-zero month of a/Regular gives no metric row; b's zero metric neither
        assert [(r[4], r[7], r[8]) for r in rows if r[4] != "xx:a" or r[7] != "Machine"] == [
            ("xx:b", "Regular", "total-dataset-investigations"),
            ("xx:b", "Regular", "unique-dataset-investigations"),
            ("xx:b", "Regular", "total-dataset-requests"),
            ("xx:c\u00e9", "Regular", "total-dataset-investigations"),
            ("xx:c\u00e9", "Regular", "unique-dataset-investigations"),
            ("xx:c\u00e9", "Regular", "total-dataset-requests"),
            ("xx:c\u00e9", "Regular", "unique-dataset-requests"),
        ]
        b_row = next(r for r in rows if r[4] == "xx:b")
        assert (b_row[0], b_row[1], b_row[5]) == ("b", "Pub\x01lisher", "")
