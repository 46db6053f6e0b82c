"""Who may see what: the one source of the catalogue's access rules.

Every other module reads the rules from here, in the form it needs:

- :func:`is_public` / :func:`visible_to` / :func:`is_tombstone`: the Python predicates on one
  stored row (or on the state of one version);
- :func:`public_clause` / :func:`effective_access_clause` / :func:`tombstone_clause`: the same
  rules as SQLAlchemy
  expressions, on the ``records`` table or on an alias of it (the search statements are text
  assembled from these, compiled once per dialect: :func:`sql_text`);
- :func:`public_mask` / :func:`lapsed_mask`: the same rules over the facet index's numpy
  columns (codes from :data:`ACCESS_LEVELS`);
- :func:`shown_document`: what of a controlled record a reader without clearance sees.

Each form is the one combinator below (:func:`_public`, :func:`_lapsed`) applied to that
form's atoms, so a new rule over the same atoms is one edit; a differential test
(``tests/metadata/test_access.py``) checks every form against the others on both databases.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, and_, case, literal_column, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import ColumnClause

from converge_metadata.models import Record

__all__ = [
    "ACCESS_LEVELS",
    "PUBLISHED",
    "RESTRICTED_DISTRIBUTION_FIELDS",
    "AccessState",
    "DocumentState",
    "Viewer",
    "access_code_sql",
    "access_codes",
    "count_lapsed_as_effective",
    "effective_access",
    "effective_access_clause",
    "effective_codes",
    "harvest_access",
    "harvest_levels",
    "is_public",
    "is_tombstone",
    "lapsed_clause",
    "lapsed_mask",
    "public_clause",
    "public_mask",
    "shown_document",
    "sql_text",
    "tombstone_clause",
    "version_is_public",
    "visible_to",
    "yyyymmdd",
]

# the stored access levels, in the order of the facet index's int8 codes
ACCESS_LEVELS: tuple[str, ...] = ("public", "embargoed", "controlled")
PUBLISHED = "published"
_PUBLIC, _EMBARGOED, _CONTROLLED = ACCESS_LEVELS
_EMBARGOED_CODE = ACCESS_LEVELS.index(_EMBARGOED)
_PUBLIC_CODE = ACCESS_LEVELS.index(_PUBLIC)
# what a controlled record's distributions show only to controlled readers and stewards
RESTRICTED_DISTRIBUTION_FIELDS: tuple[str, ...] = ("download_url", "checksum", "access_url")

Mask = npt.NDArray[np.bool_]
_B = TypeVar("_B", bool, ColumnElement[bool], Mask)


# -- the rules, once ---------------------------------------------------------------------------


def _public(*, published_live: _B, not_embargoed: _B, embargo_over: _B) -> _B:
    """Anyone may read it: published and not deleted, and not under an embargo that still
    runs."""
    return published_live & (not_embargoed | embargo_over)


def _tombstone(*, was_published: _B, gone: _B) -> _B:
    """Once published, now deleted or withdrawn: harvesters must learn that it is gone."""
    return was_published & gone


def _lapsed(*, embargoed: _B, embargo_over: _B) -> _B:
    """An embargo whose date has come: the record counts as public (nothing has to run)."""
    return embargoed & embargo_over


# -- who is reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Who is reading. ``steward``: a steward or admin of this Node (drafts, running embargoes,
    history, restricted fields); ``controlled``: holds ``controlled:read`` (the restricted
    fields of controlled records, nothing else)."""

    steward: bool
    today: date
    controlled: bool = False

    @classmethod
    def anonymous(cls, today: date) -> Viewer:
        return cls(steward=False, today=today)

    @property
    def sees_restricted(self) -> bool:
        return self.steward or self.controlled


# -- Python predicate --------------------------------------------------------------------------


class AccessState(Protocol):
    """What the rules read of a stored row (``Record`` has these columns)."""

    @property
    def status(self) -> str: ...
    @property
    def deleted_at(self) -> datetime | None: ...
    @property
    def access_level(self) -> str: ...
    @property
    def embargo_until(self) -> date | None: ...


@dataclass(frozen=True)
class DocumentState:
    """The access state of a stored document (a version's content)."""

    status: str
    access_level: str
    embargo_until: date | None
    deleted_at: datetime | None = None

    @classmethod
    def of(cls, document: dict[str, Any]) -> DocumentState:
        access = document.get("access") or {}
        until = access.get("embargo_until")
        return cls(
            status=str(document.get("status", "draft")),
            access_level=str(access.get("level", _PUBLIC)),
            embargo_until=date.fromisoformat(until) if until else None,
        )


def _over(embargo_until: date | None, today: date) -> bool:
    return embargo_until is not None and embargo_until <= today


def is_public(row: AccessState, today: date) -> bool:
    return _public(
        published_live=row.status == PUBLISHED and row.deleted_at is None,
        not_embargoed=row.access_level != _EMBARGOED,
        embargo_over=_over(row.embargo_until, today),
    )


def is_tombstone(row: AccessState, *, published_at: datetime | None) -> bool:
    return _tombstone(
        was_published=published_at is not None,
        gone=row.deleted_at is not None or row.status != PUBLISHED,
    )


def visible_to(row: AccessState, viewer: Viewer) -> bool:
    """Stewards of the Node see every live record; everyone else the public ones."""
    return viewer.steward or is_public(row, viewer.today)


def effective_access(level: str, embargo_until: date | None, today: date) -> str:
    """The level a reader is told: a lapsed embargo reads ``public``."""
    lapsed = _lapsed(embargoed=level == _EMBARGOED, embargo_over=_over(embargo_until, today))
    return _PUBLIC if lapsed else level


def count_lapsed_as_effective(counts: dict[str, int], lapsed: int) -> None:
    """Counts by stored level -> by effective level, in place: ``lapsed`` of the records
    counted ``embargoed`` have an embargo that has ended (:func:`effective_access`)."""
    if lapsed:
        counts[_EMBARGOED] -= lapsed
        counts[_PUBLIC] = counts.get(_PUBLIC, 0) + lapsed


def harvest_access(level: str) -> str:
    """The OAI-PMH access set of a harvested item. Harvesters get public items (an embargo
    among them has lapsed: :func:`effective_access`) and tombstones, so only ``controlled``
    stands apart."""
    return _CONTROLLED if level == _CONTROLLED else _PUBLIC


def harvest_levels(sets: list[str] | tuple[str, ...]) -> list[str]:
    """The stored levels of the items in the given access sets (see :func:`harvest_access`)."""
    return [level for level in ACCESS_LEVELS if harvest_access(level) in sets]


def version_is_public(document: dict[str, Any] | None, today: date) -> bool:
    """A version's content is public when the record in that state would be public today
    (published, and any embargo it carried has ended). A deletion has no content."""
    return document is not None and is_public(DocumentState.of(document), today)


# -- SQL ---------------------------------------------------------------------------------------


class _Columns(Protocol):
    """The columns of ``records`` (``Record.__table__.c`` or an alias's ``.c``)."""

    @property
    def status(self) -> ColumnClause[Any]: ...
    @property
    def deleted_at(self) -> ColumnClause[Any]: ...
    @property
    def access_level(self) -> ColumnClause[Any]: ...
    @property
    def embargo_until(self) -> ColumnClause[Any]: ...
    @property
    def published_at(self) -> ColumnClause[Any]: ...


def _sql(value: str) -> ColumnElement[Any]:
    # constants inline, as a hand-written statement would have them (the planners see them)
    return literal_column(f"'{value}'")


def public_clause(columns: _Columns, today: date | ColumnElement[Any]) -> ColumnElement[bool]:
    """Rows anyone may read, as SQL; ``today`` a date or a bind parameter."""
    return _public(
        published_live=and_(columns.status == _sql(PUBLISHED), columns.deleted_at.is_(None)),
        not_embargoed=columns.access_level != _sql(_EMBARGOED),
        embargo_over=columns.embargo_until <= today,
    )


def tombstone_clause(columns: _Columns) -> ColumnElement[bool]:
    return _tombstone(
        was_published=columns.published_at.is_not(None),
        gone=or_(columns.deleted_at.is_not(None), columns.status != _sql(PUBLISHED)),
    )


def lapsed_clause(columns: _Columns, today: date | ColumnElement[Any]) -> ColumnElement[bool]:
    return _lapsed(
        embargoed=columns.access_level == _sql(_EMBARGOED),
        embargo_over=columns.embargo_until <= today,
    )


def effective_access_clause(
    columns: _Columns, today: date | ColumnElement[Any]
) -> ColumnElement[Any]:
    return case((lapsed_clause(columns, today), _sql(_PUBLIC)), else_=columns.access_level)


_DIALECTS: dict[str, Any] = {
    "sqlite": sqlite.dialect(paramstyle="named"),
    "postgresql": postgresql.dialect(paramstyle="named"),  # type: ignore[no-untyped-call]
}


@cache
def sql_text(form: str, dialect: str, alias: str) -> str:
    """A rule as SQL text for statements written as text: ``form`` is ``public``, ``lapsed``
    or ``effective``, on ``records`` aliased ``alias``, with the date as ``:today``."""
    columns: Any = Record.__table__.alias(alias).c
    # the text statement binds ``:today`` itself (a typed bind parameter here would carry a
    # cast, ``:today::DATE``, that text() does not read as a parameter)
    today: ColumnElement[Any] = literal_column(":today")
    builders = {"public": public_clause, "lapsed": lapsed_clause}
    clause = (
        effective_access_clause(columns, today)
        if form == "effective"
        else builders[form](columns, today)
    )
    return str(clause.compile(dialect=_DIALECTS[dialect]))


def access_code_sql(column: str = "access_level") -> str:
    """The stored level as the facet index's code (its position in :data:`ACCESS_LEVELS`)."""
    whens = " ".join(f"WHEN '{level}' THEN {i}" for i, level in enumerate(ACCESS_LEVELS))
    return f"CASE {column} {whens} END"


# -- numpy (the facet index) -------------------------------------------------------------------


def yyyymmdd(day: date) -> int:
    """Dates as the facet index holds them."""
    return day.year * 10000 + day.month * 100 + day.day


def public_mask(
    *,
    published: Mask,
    access: npt.NDArray[np.int8],
    embargo: npt.NDArray[np.int32],
    today: date,
) -> Mask:
    """The facet index's live records anyone may read (it holds no deleted rows)."""
    result: Mask = _public(
        published_live=published,  # the index holds live records only
        not_embargoed=access != _EMBARGOED_CODE,
        embargo_over=embargo <= yyyymmdd(today),
    )
    return result


def lapsed_mask(
    *, access: npt.NDArray[np.int8], embargo: npt.NDArray[np.int32], today: date
) -> Mask:
    result: Mask = _lapsed(
        embargoed=access == _EMBARGOED_CODE, embargo_over=embargo <= yyyymmdd(today)
    )
    return result


def effective_codes(
    *, access: npt.NDArray[np.int8], embargo: npt.NDArray[np.int32], today: date
) -> npt.NDArray[np.int8]:
    lapsed = lapsed_mask(access=access, embargo=embargo, today=today)
    result: npt.NDArray[np.int8] = np.where(lapsed, np.int8(_PUBLIC_CODE), access)
    return result


def access_codes(levels: list[str]) -> list[int]:
    return [ACCESS_LEVELS.index(level) for level in levels]


# -- restricted fields of controlled records ---------------------------------------------------


def shown_document(
    document: dict[str, Any], viewer: Viewer, *, request_access_url: str
) -> dict[str, Any]:
    """The stored content as ``viewer`` may see it.

    A controlled record shows everyone its metadata, its data access committee and its DUO
    conditions; the way to its data is for controlled readers and the Node's stewards. For
    everyone else each distribution keeps its title, media type, format and size, its
    ``download_url`` and ``checksum`` are withheld, and its ``access_url`` becomes the way to
    request access: the committee's ``url``, else ``request_access_url`` (the record's
    landing page, which names the committee's contact).
    """
    access = document.get("access") or {}
    if viewer.sees_restricted or access.get("level") != _CONTROLLED:
        return document
    dataset = document.get("dataset") or {}
    distributions = dataset.get("distributions") or []
    if not distributions:
        return document
    request_url = (access.get("dac") or {}).get("url") or request_access_url
    shown = copy.copy(document)
    shown["dataset"] = {
        **dataset,
        "distributions": [
            {
                **{k: v for k, v in dist.items() if k not in RESTRICTED_DISTRIBUTION_FIELDS},
                "access_url": request_url,
            }
            for dist in distributions
        ],
    }
    return shown
