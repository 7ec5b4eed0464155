"""How the lines of an extraction flow through a run: by batches, read ahead in a thread.

The run alternates Python work (reading, parsing, fingerprinting lines) and waits on the database
(lookups, COPY, foreign key checks, which PostgreSQL runs in its own process). Reading ahead lets
the next batch be parsed during those waits: the parse is a third to a half of the Python work of
an RPPS run. Only the reading runs in the thread; every database access stays in the run's own
thread and transaction, and at most `depth` batches wait in memory. (A process would parse in
parallel with the run's own Python, but on the 2 cores of a small server, shared with PostgreSQL,
pickling the parsed lines across cost more than it saved: measured, not faster.)
"""

import gc
import itertools
import queue
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_END = object()
SWITCH_INTERVAL = 0.0005


@contextmanager
def quiet_garbage_collector():
    """Millions of short-lived records make the cyclic garbage collector walk the whole heap
    (Django included) again and again: a third of the run time. Everything alive before the run
    is frozen out of its sight, and it runs less often; the records themselves hold no cycles and
    are freed by reference counting as soon as their batch is written."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def batched(items: Iterator, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


@contextmanager
def read_ahead(items: Iterator, depth: int = 2):
    """Yields an iterator over `items`, which a thread draws `depth` items ahead of the consumer.

    An exception raised by `items` is raised again by the consumer's iterator, at the place the
    item would have come. When the consumer stops early (an error, Ctrl-C), the thread is told to
    stop and waited for: nothing reads the file after the run has ended.
    """
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                waiting.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_END, None))
        except BaseException as exc:  # handed over to the consumer, which raises it
            put((_END, exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    def consume() -> Iterator:
        while True:
            item, error = waiting.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item

    # The consumer mostly waits on the database, the GIL released; when its answer comes, the
    # reading thread hands the GIL back only at the next switch interval (5 ms by default), which
    # thousands of waits per run turn into seconds.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    thread = threading.Thread(target=produce, name="import-read-ahead", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
