"""COPY statements run by a thread on the run's own connection, while the run prepares the next.

On PostgreSQL a first load spends about as long in the server (COPY, index entries, foreign key
checks) as in Python (parsing, fingerprinting, formatting); run one after the other, they add up.
Here `insert_rows` hands its COPY to a thread and returns: the server loads a batch while Python
prepares the next one. Nothing else changes: the same connection and transaction, the statements
in the order they were issued, at most `DEPTH` of them waiting.

Before any other use of the connection — a query through Django (an execute wrapper), a lookup of
bulk.py, the end of the run — the pending statements are waited for (`settle`), and the error of
a failed one is raised there, in the run's thread. So a read always sees the rows written before
it, as if the COPY had been synchronous.
"""

import queue
import threading
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

DEPTH = 2

_active: dict[str, "BackgroundCopies"] = {}


class BackgroundCopies:
    def __init__(self, connection):
        self.connection = connection
        self.jobs: queue.Queue = queue.Queue(maxsize=DEPTH)
        self.error: BaseException | None = None
        self.cancelled = False
        self.thread = threading.Thread(target=self._work, name="import-copy", daemon=True)
        self.thread.start()

    def submit(self, sql: str, text: str) -> None:
        self._raise()
        self.jobs.put((sql, text))  # waits while DEPTH statements are pending

    def settle(self) -> None:
        """Waits for the pending statements; raises the error of a failed one."""
        self.jobs.join()
        self._raise()

    def close(self, *, cancel: bool) -> None:
        self.cancelled = cancel  # the run failed: what is still pending is skipped
        self.jobs.put(None)
        self.thread.join()

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            self.cancelled = True  # the transaction is aborted: nothing more is sent
            raise error

    def _work(self) -> None:
        import psycopg

        while (job := self.jobs.get()) is not None:
            try:
                if not self.cancelled and self.error is None:
                    sql, text = job
                    with psycopg.Cursor(self.connection.connection) as cursor, cursor.copy(sql) as copy:
                        copy.write(text)
            except BaseException as exc:  # raised again in the run's thread
                self.error = exc
            finally:
                self.jobs.task_done()
        self.jobs.task_done()


@contextmanager
def background_copies(alias: str = DEFAULT_DB_ALIAS):
    """Within: the COPY statements of `insert_rows` on PostgreSQL run in the background."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    copies = BackgroundCopies(connection)

    def settle_first(execute, sql, params, many, context):
        copies.settle()
        return execute(sql, params, many, context)

    _active[alias] = copies
    failed = True
    try:
        with connection.execute_wrapper(settle_first):
            yield
            copies.settle()
            failed = False
    finally:
        del _active[alias]
        copies.close(cancel=failed)


def pending(connection) -> "BackgroundCopies | None":
    """The background COPY of `connection` if one is running (settle it before using it)."""
    return _active.get(connection.alias)


def settle(connection) -> None:
    if (copies := _active.get(connection.alias)) is not None:
        copies.settle()
