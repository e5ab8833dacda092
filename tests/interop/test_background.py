"""Reading in a forked child process (`interop.background`): order, errors, early stops, and reading ahead
of a writer that works in bursts."""

import gc
import multiprocessing
import time

import pytest

from cartolangue.interop.background import AHEAD, can_fork, read_in_child
from cartolangue.interop.persist import run_import
from cartolangue.interop.records import Notice
from cartolangue.interop.report import ImportReport

pytestmark = pytest.mark.skipif(not can_fork(), reason="reading in a child process needs fork (Linux, macOS)")


def _wait_for(path, seconds=20):
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return path.exists()


def test_the_child_reads_ahead_while_the_consumer_is_busy(tmp_path):
    """Items far bigger than a pipe's buffer (64 KiB): the child must not wait for the consumer to take each
    batch, or reading and writing would take turns instead of overlapping."""
    done = tmp_path / "read-to-the-end"
    count, batch = 40, 4
    assert count // batch <= AHEAD

    def read():
        for n in range(count):
            yield (n, "x" * 200_000)
        done.touch()

    items = read_in_child(read, batch_size=batch)
    assert next(items)[0] == 0
    assert _wait_for(done), "the child waited for the consumer instead of reading ahead"
    assert [n for n, _text in items] == list(range(1, count))
    assert multiprocessing.active_children() == []


def test_items_then_the_error_in_order():
    def read():
        yield from range(7)
        raise ValueError("ligne 12 : illisible")

    seen = []
    with pytest.raises(ValueError, match="ligne 12"):
        for item in read_in_child(read, batch_size=3):
            seen.append(item)
    assert seen == list(range(7))


def test_an_error_that_cannot_be_pickled_arrives_as_its_text():
    class Local(Exception):  # a local class cannot be pickled
        pass

    def read():
        yield 1
        raise Local("sans classe importable")

    with pytest.raises(RuntimeError, match="Local: sans classe importable"):
        list(read_in_child(read))


def test_a_consumer_that_stops_early_stops_the_child():
    def read():
        n = 0
        while True:  # endless: only stopping the child ends it
            yield (n, "y" * 50_000)
            n += 1

    items = read_in_child(read, batch_size=2)
    assert [next(items)[0] for _ in range(5)] == [0, 1, 2, 3, 4]
    items.close()
    assert multiprocessing.active_children() == []


@pytest.mark.django_db
def test_an_import_collects_garbage_less_often_and_restores_the_threshold():
    before = gc.get_threshold()
    seen = []

    def items():
        seen.append(gc.get_threshold())
        yield Notice("x", "ligne 1", "rien")

    run_import(items(), ImportReport(source="t", file="f", format="test"), dry_run=True)
    assert seen[0][0] > before[0] and seen[0][1:] == before[1:]
    assert gc.get_threshold() == before
