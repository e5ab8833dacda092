"""Reading a file in a forked child process while this one writes what was read (ADR 0012).

Parsing, schema checks and mapping of a big file take about as long as the writes; in a child process they
run on the second core. The child inherits, by forking, the settings, translations and referentials already
loaded, and touches no database connection (it only reads the file and builds records). It sends the items
in batches through a pipe, in order, then the same error the reading raised, if any; the pipe's capacity
keeps it a few batches ahead of the writer at most, so memory stays flat. If the consumer stops early (its
own error), the child is stopped.
"""

import multiprocessing


def can_fork():
    return "fork" in multiprocessing.get_all_start_methods()


def read_in_child(read, *, batch_size=200, name=""):
    """The items of the generator `read()`, produced in a forked child process, in the same order; its
    exception, if it raises one, is raised here (its text at least, if it cannot be pickled)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_send_items, args=(read, sender, batch_size), daemon=True)
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


def _send_items(read, sender, batch_size):
    """In the child: read, and send the items by batches."""
    batch = []
    try:
        try:
            for item in read():
                batch.append(item)
                if len(batch) >= batch_size:
                    sender.send(("items", batch))
                    batch = []
            sender.send(("items", batch))
            sender.send(("end", None))
        except (BrokenPipeError, ConnectionResetError):
            return  # the parent stopped reading (an error on its side): nothing more to say
        except Exception as exc:
            sender.send(("items", batch))
            try:
                sender.send(("error", exc))
            except Exception:  # an exception that cannot be pickled: its text at least
                sender.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    except (BrokenPipeError, ConnectionResetError):
        return
    finally:
        sender.close()
