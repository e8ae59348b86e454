"""write_turn: one writer at a time across threads and processes, none on PostgreSQL."""

import multiprocessing
import threading
import time
from contextlib import nullcontext

from xinyong.core import writelock


def hold(path: str, seconds: float, started) -> None:
    with writelock._sqlite_turn(path):
        started.set()
        time.sleep(seconds)


def test_threads_take_turns(tmp_path):
    path, inside, overlaps = str(tmp_path / "db.sqlite3"), [], []

    def write():
        with writelock._sqlite_turn(path):
            inside.append(1)
            overlaps.append(len(inside))
            time.sleep(0.01)
            inside.pop()

    threads = [threading.Thread(target=write) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == [1] * 6
    assert (tmp_path / "db.sqlite3.writelock").exists()


def test_another_process_waits_for_the_turn(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    started = multiprocessing.get_context("fork").Event()
    other = multiprocessing.get_context("fork").Process(target=hold, args=(path, 0.3, started))
    other.start()
    assert started.wait(5)
    begun = time.monotonic()
    with writelock._sqlite_turn(path):
        waited = time.monotonic() - begun
    other.join()
    assert waited > 0.15


def test_in_memory_and_postgresql_need_no_turn(db):
    assert isinstance(writelock.write_turn(), nullcontext)  # the test database is in memory
