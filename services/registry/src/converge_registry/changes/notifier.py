"""Wakes long-polls and the webhook sender as soon as a change is committed in this process."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

__all__ = ["ChangeNotifier", "mark_changes_pending", "register_notifier"]

_PENDING = "converge_changes_pending"
_NOTIFIERS: weakref.WeakKeyDictionary[Engine, ChangeNotifier] = weakref.WeakKeyDictionary()


class ChangeNotifier:
    """A generation counter with an event per generation (no lost wake-ups)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.generation = 0
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (cheap, synchronous) on every notification."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def notify(self) -> None:
        self.generation += 1
        event_, self._event = self._event, asyncio.Event()
        event_.set()
        for listener in self._listeners:
            listener()

    def current(self) -> asyncio.Event:
        """Take the event before looking for changes, then wait on it."""
        return self._event

    @staticmethod
    async def wait(event_: asyncio.Event, timeout_s: float) -> bool:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.0, timeout_s)):
                await event_.wait()
                return True
        return False


def register_notifier(engine: Engine, notifier: ChangeNotifier) -> None:
    _NOTIFIERS[engine] = notifier


def mark_changes_pending(session: Session) -> None:
    session.info[_PENDING] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if not session.info.pop(_PENDING, False):
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    notifier = _NOTIFIERS.get(engine)
    if notifier is not None:
        notifier.notify()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
