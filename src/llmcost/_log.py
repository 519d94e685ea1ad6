"""JSON-lines cost logs: `CostLogHandler` writes them, `read_cost_log` / `write_cost_log`."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Generator, Iterable, Iterator
from typing import IO, Any

from ._errors import FileAccessError, InvalidTypeError, InvalidUsageError
from ._paths import checked_path, open_file, shown
from ._record import MAX_LINE, CostRecord

__all__ = ["CostLogHandler", "read_cost_log", "write_cost_log"]


def _lines(source: IO[Any]) -> Iterator[str | bytes]:
    """The lines of *source*, each read with a bound (a longer one is yielded cut short)."""
    readline = getattr(source, "readline", None)
    if readline is None:
        yield from source
        return
    while True:
        line = readline(MAX_LINE + 1)
        if not line:
            return
        yield line


def read_cost_log(source: str | os.PathLike[str] | IO[str]) -> Iterator[CostRecord]:
    """The records of a JSON-lines cost log (as `CostLogHandler` writes it), streamed.

    Every line is validated (`CostRecord.from_json`): a malformed line raises
    `InvalidUsageError` naming its line number, and so does a line longer than 1 MiB (read
    no further than that). A path that cannot be opened raises `FileAccessError` (an
    `OSError`); a path with a NUL byte or a lone surrogate, `InvalidInputError`.

    >>> import io
    >>> from llmcost import Tracker, Usage
    >>> t = Tracker()
    >>> _ = t.record("gpt-4o-mini", Usage(input_tokens=10_000, output_tokens=500))
    >>> log = io.StringIO()
    >>> write_cost_log(t.records(), log)
    1
    >>> _ = log.seek(0)
    >>> [r.cost.total == t.total for r in read_cost_log(log)]
    [True]
    """
    if isinstance(source, (str, os.PathLike)):
        name = checked_path(source, "cost log")
        return _FileRecords(open_file(name, "rb", "cost log"), shown(name) + ": ")
    if not hasattr(source, "readline") and not hasattr(source, "__iter__"):
        msg = f"read_cost_log reads a path or an open file, not {type(source).__name__}"
        raise InvalidTypeError(msg)
    return _read(source, "")


class _FileRecords(Iterator[CostRecord]):
    """The records of a log file opened by `read_cost_log`: closed when done or dropped."""

    def __init__(self, f: IO[bytes], where: str) -> None:
        self._file: IO[bytes] | None = f
        self._records = _read(f, where)

    def __next__(self) -> CostRecord:
        try:
            return next(self._records)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the file (iteration then stops)."""
        f, self._file = self._file, None
        if f is not None:
            self._records.close()
            f.close()

    def __del__(self) -> None:
        self.close()


def _read(source: IO[Any], where: str) -> Generator[CostRecord, None, None]:
    for n, line in enumerate(_lines(source), 1):
        if not isinstance(line, (str, bytes)):
            msg = f"{where}line {n}: a log line is str or bytes, not {type(line).__name__}"
            raise InvalidTypeError(msg)
        if len(line) > MAX_LINE:
            msg = f"{where}line {n}: longer than {MAX_LINE:,} characters"
            raise InvalidUsageError(msg)
        if isinstance(line, bytes):
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as e:
                msg = f"{where}line {n}: not UTF-8 text (byte {e.start}: {e.reason})"
                raise InvalidUsageError(msg) from None
        else:
            text = line
        if not text.strip():
            continue
        try:
            yield CostRecord.from_json(text)
        except InvalidUsageError as e:
            msg = f"{where}line {n}: {e}"
            raise InvalidUsageError(msg) from None


def write_cost_log(records: Iterable[CostRecord], target: str | os.PathLike[str] | IO[str]) -> int:
    """Append *records* as JSON lines to a path or an open text file; return how many.

    Lines are ASCII (every other character is a JSON escape), so any encoding and any
    ``str.splitlines()`` see one line per record. A path that cannot be opened raises
    `FileAccessError`; one with a NUL byte or a lone surrogate, `InvalidInputError`.

    >>> import io
    >>> from llmcost import Tracker, Usage
    >>> t = Tracker()
    >>> _ = t.record("gpt-4o", Usage(input_tokens=100, output_tokens=10))
    >>> out = io.StringIO()
    >>> write_cost_log(t.records(), out), len(out.getvalue().splitlines())
    (1, 1)
    """
    if isinstance(target, (str, os.PathLike)):
        with open_file(target, "a", "cost log", encoding="ascii", newline="\n") as f:
            return write_cost_log(records, f)
    if isinstance(records, (str, bytes, CostRecord)) or not hasattr(records, "__iter__"):
        msg = f"write_cost_log writes an iterable of CostRecord, not {type(records).__name__}"
        raise InvalidTypeError(msg)
    if not callable(getattr(target, "write", None)):
        msg = f"write_cost_log writes to a path or an open text file, not {type(target).__name__}"
        raise InvalidTypeError(msg)
    n = 0
    for rec in records:
        if not isinstance(rec, CostRecord):
            msg = f"write_cost_log writes CostRecord values, not {type(rec).__name__}"
            raise InvalidTypeError(msg)
        target.write(rec.to_json() + "\n")
        n += 1
    return n


_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)


class CostLogHandler(logging.Handler):
    """A logging handler that appends each `Tracker` record to a JSON-lines file.

    The file is opened once (created if missing, in append mode) and kept open; each record
    is one whole line handed to the operating system by a single ``write`` before `emit`
    returns, under the handler's lock, so threads never interleave lines and a line is never
    split across writes. Durability: a written line survives the process crashing or being
    killed (it is in the kernel), but not a power loss or an operating-system crash unless
    *fsync* is True, which waits for the disk on every record (milliseconds, not
    microseconds). Log records that do not come from a `Tracker` are ignored. The handler
    keeps writing to the file it opened: after moving the file away (log rotation), call
    `close` and the next record reopens the path.

    >>> import logging, tempfile, os
    >>> from llmcost import Tracker, Usage, read_cost_log
    >>> path = os.path.join(tempfile.mkdtemp(), "costs.jsonl")
    >>> log = logging.getLogger("doctest.llm.cost")
    >>> handler = CostLogHandler(path)
    >>> log.addHandler(handler); log.setLevel(logging.INFO)
    >>> _ = Tracker(logger=log).record("gpt-4o", Usage(input_tokens=1200, output_tokens=300))
    >>> [r.cost.total for r in read_cost_log(path)]
    [Decimal('0.006')]
    >>> log.removeHandler(handler); handler.close()
    """

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = False) -> None:
        super().__init__()
        self.path = checked_path(path, "cost log")
        self.fsync = bool(fsync)
        self._fd: int | None = None
        self._fd_lock = threading.Lock()
        self._open()  # a path that cannot be written fails here, not at the first record

    def _open(self) -> int:
        fd = self._fd
        if fd is None:
            with self._fd_lock:
                fd = self._fd
                if fd is None:
                    try:
                        fd = self._fd = os.open(self.path, _FLAGS, 0o666)
                    except OSError as e:
                        msg = f"{shown(self.path)}: cannot write the cost log: {e.strerror or e}"
                        raise FileAccessError(e.errno, msg) from None
        return fd

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record's line (`logging.Handler.handle` holds the lock)."""
        rec = record.__dict__.get("llmcost.record")
        if not isinstance(rec, CostRecord):
            return
        try:
            self._write(rec)
        except Exception:
            self.handleError(record)

    def write(self, rec: CostRecord) -> None:
        """Append *rec*'s line under the handler's lock, without a `logging.LogRecord`.

        What a `Tracker` made with ``cost_log=`` calls for each record. An `OSError` (a full
        disk) is raised as `FileAccessError`: the caller learns that a line is missing.
        """
        if not isinstance(rec, CostRecord):
            msg = f"CostLogHandler.write takes a CostRecord, not {type(rec).__name__}"
            raise InvalidTypeError(msg)
        with self.lock:  # type: ignore[union-attr]
            try:
                self._write(rec)
            except OSError as e:
                msg = f"{shown(self.path)}: cannot write the cost log: {e.strerror or e}"
                raise FileAccessError(e.errno, msg) from None

    def _write(self, rec: CostRecord) -> None:
        data = (rec.to_json() + "\n").encode("ascii")
        fd = self._fd if self._fd is not None else self._open()
        while data:
            data = data[os.write(fd, data) :]
        if self.fsync:
            os.fsync(fd)

    def close(self) -> None:
        """Close the file; a later record opens the path again."""
        with self._fd_lock:
            fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
        super().close()
