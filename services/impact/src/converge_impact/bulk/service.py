"""Bulk CSV upload of reported values, and exports.

Upload: a UTF-8 CSV with the header ``indicator,period,value,evidence_url,evidence_note``
(the last two optional; further columns, e.g. those of an export, are ignored). Each row is
checked as a ``POST /values`` would be; rows become drafts. ``mode=all`` (default) writes
nothing unless every row passes; ``mode=valid`` writes the rows that pass. Either way the
answer lists every rejected row with its line, column and rule.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from converge_common.db import utcnow
from converge_common.errors import BadRequest, FieldError, InvalidInput
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.bulk.schemas import (
    CSV_COLUMNS,
    BulkMode,
    BulkReport,
    ExportChange,
    ExportDocument,
    RowRejection,
)
from converge_impact.derived.schemas import DerivedRead
from converge_impact.derived.service import list_derived
from converge_impact.indicators import repository as indicators
from converge_impact.indicators.schemas import IndicatorRead
from converge_impact.models import Indicator
from converge_impact.values import repository as values
from converge_impact.values import service as workflow
from converge_impact.values.schemas import ValueCreate, ValueRead

__all__ = ["export_document", "import_csv", "parse_csv", "to_csv"]

REQUIRED = ("indicator", "period", "value")


def parse_csv(data: bytes, *, max_rows: int) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            "The upload is not UTF-8 text",
            errors=[FieldError("/", "encoding", f"invalid byte at offset {exc.start}")],
        ) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InvalidInput(
                f"The header lacks {', '.join(missing)}",
                errors=[FieldError(f"/header/{c}", "required", "column missing") for c in missing],
            )
        rows: list[dict[str, str]] = []
        for row in reader:
            if len(rows) >= max_rows:
                raise InvalidInput(
                    f"More than {max_rows} rows; split the file",
                    errors=[FieldError("/rows", "max_items", f"at most {max_rows} rows")],
                )
            rows.append({k: (v or "") for k, v in row.items() if k is not None})
    except csv.Error as exc:
        raise BadRequest(
            f"The CSV is malformed at line {reader.line_num}: {exc}",
            errors=[FieldError(f"/rows/{reader.line_num}", "csv", str(exc))],
        ) from exc
    return rows


def _candidate(row: dict[str, str]) -> dict[str, object]:
    body: dict[str, object] = {c: row.get(c, "").strip() for c in CSV_COLUMNS}
    for optional in ("evidence_url", "evidence_note"):
        if not body[optional]:
            body[optional] = None
    return body


async def import_csv(
    session: AsyncSession,
    rows: Sequence[dict[str, str]],
    *,
    actor: workflow.Actor,
    mode: BulkMode,
) -> BulkReport:
    catalogue = await indicators.by_codes(session)
    rejected: list[RowRejection] = []
    accepted: list[ValueCreate] = []
    seen: set[tuple[str, str]] = set()
    for index, row in enumerate(rows):
        line = index + 2
        try:
            body = ValueCreate.model_validate(_candidate(row))
        except ValidationError as exc:
            for error in exc.errors():
                column = str(error["loc"][0]) if error["loc"] else None
                rejected.append(
                    RowRejection(row=line, column=column, rule=error["type"], detail=error["msg"])
                )
            continue
        reason = await _row_rule(session, body, catalogue, seen)
        if reason is not None:
            rejected.append(
                RowRejection(row=line, column=reason[0], rule=reason[1], detail=reason[2])
            )
            continue
        seen.add((body.indicator, body.period))
        accepted.append(body)
    report = BulkReport(mode=mode, rows=len(rows), written=0, value_ids=[], rejected=rejected)
    if rejected and mode == "all":
        return report
    for body in accepted:
        value, _indicator = await workflow.create(session, body, actor=actor, action="import")
        report.value_ids.append(value.id)
    report.written = len(report.value_ids)
    return report


async def _row_rule(
    session: AsyncSession,
    body: ValueCreate,
    catalogue: dict[str, Indicator],
    seen: set[tuple[str, str]],
) -> tuple[str, str, str] | None:
    indicator = catalogue.get(body.indicator)
    if indicator is None:
        return ("indicator", "unknown_indicator", f"no indicator {body.indicator!r}")
    if indicator.source != "reported":
        return ("indicator", "derived_indicator", "derived values are computed, not reported")
    if (body.indicator, body.period) in seen:
        return ("period", "duplicate_row", "an earlier row has this indicator and period")
    existing = await values.by_indicator_period(session, indicator.id, body.period)
    if existing is not None:
        return ("period", "value_exists", f"value {existing.id} already reports this period")
    return None


async def export_document(session: AsyncSession, *, node: str) -> ExportDocument:
    rows = await indicators.list_indicators(session)
    changes = await values.all_changes(session)
    return ExportDocument(
        node=node,
        exported_at=utcnow(),
        indicators=[IndicatorRead.model_validate(i) for i in rows],
        values=[workflow.to_read(v, i) for v, i in await values.values_with_indicators(session)],
        history=[
            ExportChange(
                value_id=c.value_id,
                indicator=code,
                period=v.period,
                action=c.action,
                actor=c.actor,
                at=c.at,
                old_value=c.old_value,
                new_value=c.new_value,
                old_status=c.old_status,
                new_status=c.new_status,
                note=c.note,
            )
            for c, v, code in changes
        ],
        derived=await list_derived(session),
    )


def to_csv(document: ExportDocument, part: str) -> str:
    items: list[BaseModel] = {
        "indicators": document.indicators,
        "values": document.values,
        "history": document.history,
        "derived": document.derived,
    }[part]  # type: ignore[assignment]
    fields = {
        "indicators": list(IndicatorRead.model_fields),
        "values": ["indicator", "period", "value", "evidence_url", "evidence_note"]
        + [f for f in ValueRead.model_fields if f not in CSV_COLUMNS],
        "history": list(ExportChange.model_fields),
        "derived": list(DerivedRead.model_fields),
    }[part]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    for item in items:
        data = item.model_dump(mode="json")
        writer.writerow({f: "" if data.get(f) is None else data[f] for f in fields})
    return out.getvalue()
