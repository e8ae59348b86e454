"""Read and validate the next frame while the current one is stored.

Reading and validating (polars, file I/O) and storing (the database driver, which releases
the GIL while the database works) use different cores, so running them one frame apart
overlaps them. The producer never touches the database.
"""

import queue
import threading
from collections.abc import Iterable, Iterator

_END = object()


class _Failure:
    def __init__(self, error: BaseException):
        self.error = error


def prefetched(items: Iterable, depth: int = 1) -> Iterator:
    """Yield the items of `items`, computed up to `depth` ahead in a thread; an exception
    raised there is raised here."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce():
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        ready.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(_END)
        except BaseException as error:  # handed over to the consumer
            ready.put(_Failure(error))

    thread = threading.Thread(target=produce, name="prefetch", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()
