"""Server-sent events to the open pages: ``reload`` after a good build, ``failed`` with a bad one's messages."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """One server-sent event: its name, and its data as JSON."""

    name: str
    data: object

    def encode(self) -> bytes:
        """The event as the stream carries it (``json.dumps`` escapes every line break: one ``data:`` line)."""
        return f"event: {self.name}\ndata: {json.dumps(self.data)}\n\n".encode()


class Broadcast:
    """Hands each event to every listener (one per open page), from any thread.

    A failed build's event lasts until the next good build: a page opened meanwhile
    (the last good edition) gets it on connecting, and shows the messages as well.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: set[queue.SimpleQueue[Event | None]] = set()
        self._failure: Event | None = None
        self._closed = False

    def publish(self, event: Event, lasting: bool = False) -> None:
        """Send ``event`` to every listener; ``lasting``: also to those that connect until the next event."""
        with self._lock:
            self._failure = event if lasting else None
            for listener in self._listeners:
                listener.put(event)

    @contextmanager
    def listen(self) -> Iterator[queue.SimpleQueue[Event | None]]:
        """The events from now on (a lasting one first), until ``close`` puts a None."""
        listener: queue.SimpleQueue[Event | None] = queue.SimpleQueue()
        with self._lock:
            if self._closed:
                listener.put(None)
            elif self._failure is not None:
                listener.put(self._failure)
            self._listeners.add(listener)
        try:
            yield listener
        finally:
            with self._lock:
                self._listeners.discard(listener)

    def close(self) -> None:
        """End every stream, now and later."""
        with self._lock:
            self._closed = True
            for listener in self._listeners:
                listener.put(None)
