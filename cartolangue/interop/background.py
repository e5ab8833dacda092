"""Reading a file in a forked child process while this one writes what was read (ADR 0012).

Parsing, schema checks and mapping of a big file take about as long as the writes; in a child process they
run on the second core. The child inherits, by forking, the settings, translations and referentials already
loaded, and touches no database connection (it only reads the file and builds records). It sends the items
in batches through a pipe, in order, then the same error the reading raised, if any.

The writer works in bursts (it stores a few hundred records at once), so the child must be able to read on
while the writer is busy: a thread of the child sends the batches already pickled while its main thread
reads on, up to `AHEAD` batches ahead; memory stays flat (a few MB). If the consumer stops early (its own
error), the child is stopped.

The child never outlives the import, however the import ends (SIGKILL, SIGTERM, the OOM killer): it closes its
inherited copy of the pipe's reading end, so that once the parent is gone nobody holds that end and the
child's next send fails (EPIPE) and ends it; and on Linux it asks the kernel (prctl PR_SET_PDEATHSIG) to be
killed when its parent dies, so that it does not even finish the formation it is parsing. A parent that died
between the fork and the prctl is caught by comparing the parent pid with the one recorded before the fork.
"""

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.reduction import ForkingPickler
from typing import TypeVar

AHEAD = 32  # batches the child may have read before the writer takes them
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

T = TypeVar("T")


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def read_in_child(read: Callable[[], Iterable[T]], *, batch_size: int = 200, name: str = "") -> Iterator[T]:
    """The items of the generator `read()`, produced in a forked child process, in the same order; its
    exception, if it raises one, is raised here (its text at least, if it cannot be pickled)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_send_items, args=(read, sender, batch_size, receiver, os.getpid()), daemon=True)
    child.start()
    sender.close()
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise RuntimeError(f"{name}: the reading process ended unexpectedly") from None
            if kind == "items":
                yield from payload
            elif kind == "error":
                raise payload
            else:
                return
    finally:
        receiver.close()
        if child.is_alive():  # the consumer stopped before the end of the file
            child.terminate()
        child.join()


def _die_with_parent(receiver, parent_pid: int) -> None:
    """In the child, first of all: make sure it cannot outlive the process that forked it."""
    # The parent's end of the pipe, inherited by the fork: while the child held it, a dead parent left the pipe
    # with a reader (the child itself), and the child blocked forever on a full pipe.
    receiver.close()
    if sys.platform.startswith("linux"):
        # Linux sends the signal when the *thread* that forked ends: read_in_child is consumed by the thread that
        # started it (an import command's main thread), so for us that is the parent's end.
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the prctl: the signal will never come
        os._exit(1)


def _send_items(read, sender, batch_size, receiver, parent_pid):
    """In the child: read, pickle the items by batches, and hand them to the sending thread."""
    _die_with_parent(receiver, parent_pid)
    outbox: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD)
    thread = threading.Thread(target=_send_pickled, args=(outbox, sender), daemon=True)
    thread.start()

    def put(message):
        """Queue one message; False when the parent has stopped reading (the thread has ended)."""
        if message is not None:
            try:
                message = bytes(ForkingPickler.dumps(message))
            except Exception:  # an exception that cannot be pickled: its text at least
                kind, exc = message
                message = bytes(ForkingPickler.dumps((kind, RuntimeError(f"{type(exc).__name__}: {exc}"))))
        while thread.is_alive():
            try:
                outbox.put(message, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    batch = []
    try:
        for item in read():
            batch.append(item)
            if len(batch) >= batch_size:
                if not put(("items", batch)):
                    return
                batch = []
        put(("items", batch)) and put(("end", None))
    except Exception as exc:
        put(("items", batch)) and put(("error", exc))
    finally:
        put(None)  # the thread stops once it has sent what is queued
        thread.join()
        sender.close()


def _send_pickled(outbox, sender):
    """In the child's sending thread: send the pickled messages in order, until None."""
    while (data := outbox.get()) is not None:
        try:
            sender.send_bytes(data)
        except (BrokenPipeError, ConnectionResetError):
            return  # the parent stopped reading (an error on its side)
