"""Server-side workspace sessions: one table in the service's database, and its queries.

The browser holds only an opaque random id in a cookie; the table is keyed by the SHA-256 of
that id, so that reading the table (a backup, a leaked dump) gives no usable cookie. A row is
first a pending sign-in (state, nonce and PKCE verifier of one authorization request), then,
after the callback, a signed-in session under a new id (the pending id is never promoted, so a
cookie planted before sign-in is worth nothing after it).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Column,
    Index,
    MetaData,
    String,
    Table,
    Text,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from converge_common.db import UTCDateTime

__all__ = [
    "PendingSignIn",
    "SessionRow",
    "new_session_id",
    "session_key",
    "workspace_sessions_table",
]

TABLE = "workspace_sessions"


def workspace_sessions_table(metadata: MetaData) -> Table:
    """The ``workspace_sessions`` table in a service's ``metadata`` (its migration creates the
    same table; see the metadata service's ``0008_workspace_sessions``)."""
    return Table(
        TABLE,
        metadata,
        Column("key", String(64), primary_key=True),
        # pending sign-in
        Column("state", String(128), nullable=True),
        Column("nonce", String(128), nullable=True),
        Column("code_verifier", String(128), nullable=True),
        Column("return_to", String(2048), nullable=True),
        # signed in
        Column("subject", String(255), nullable=True),
        Column("display_name", String(255), nullable=True),
        Column("access_token", Text, nullable=True),
        Column("id_token", Text, nullable=True),
        Column("csrf_token", String(128), nullable=True),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("last_seen_at", UTCDateTime(), nullable=False),
        Column("expires_at", UTCDateTime(), nullable=False),
        Index("ix_workspace_sessions_expires_at", "expires_at"),
    )


def new_session_id() -> str:
    """An opaque session id: 256 random bits."""
    return secrets.token_urlsafe(32)


def session_key(session_id: str) -> str:
    """What the table stores for a session id."""
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True)
class PendingSignIn:
    state: str
    nonce: str
    code_verifier: str
    return_to: str


@dataclass(frozen=True)
class SessionRow:
    key: str
    pending: PendingSignIn | None
    subject: str | None
    display_name: str | None
    access_token: str | None
    csrf_token: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


class SessionRepository:
    """Every query on the sessions table."""

    def __init__(self, table: Table, db: AsyncSession) -> None:
        self.table = table
        self.db = db

    async def get(self, key: str) -> SessionRow | None:
        row = (await self.db.execute(select(self.table).where(self.table.c.key == key))).first()
        if row is None:
            return None
        m = row._mapping
        pending = None
        if m["state"] is not None:
            pending = PendingSignIn(
                m["state"], m["nonce"], m["code_verifier"], m["return_to"] or ""
            )
        return SessionRow(
            key=m["key"],
            pending=pending,
            subject=m["subject"],
            display_name=m["display_name"],
            access_token=m["access_token"],
            csrf_token=m["csrf_token"],
            created_at=m["created_at"],
            last_seen_at=m["last_seen_at"],
            expires_at=m["expires_at"],
        )

    async def add_pending(
        self, key: str, pending: PendingSignIn, *, now: datetime, expires_at: datetime
    ) -> None:
        await self.db.execute(
            self.table.insert().values(
                key=key,
                state=pending.state,
                nonce=pending.nonce,
                code_verifier=pending.code_verifier,
                return_to=pending.return_to,
                created_at=now,
                last_seen_at=now,
                expires_at=expires_at,
            )
        )

    async def add_signed_in(
        self,
        key: str,
        *,
        subject: str,
        display_name: str,
        access_token: str,
        id_token: str | None,
        csrf_token: str,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        await self.db.execute(
            self.table.insert().values(
                key=key,
                subject=subject,
                display_name=display_name,
                access_token=access_token,
                id_token=id_token,
                csrf_token=csrf_token,
                created_at=now,
                last_seen_at=now,
                expires_at=expires_at,
            )
        )

    async def touch(self, key: str, now: datetime) -> None:
        await self.db.execute(
            update(self.table).where(self.table.c.key == key).values(last_seen_at=now)
        )

    async def delete(self, key: str) -> None:
        await self.db.execute(delete(self.table).where(self.table.c.key == key))

    async def delete_expired(self, now: datetime, *, idle_since: datetime) -> None:
        """Sessions past their absolute expiry or idle since ``idle_since``."""
        c = self.table.c
        await self.db.execute(
            delete(self.table).where(or_(c.expires_at < now, c.last_seen_at < idle_since))
        )
