"""Spreadsheets parsed in a child process with memory and time limits, rows streamed back in chunks.

A hostile file (a sheet declaring a million rows by 16,384 columns, a zip bomb) must cost one failed import, never the
process that runs it (the task worker, the web server, the command line). So the file is checked (filecheck.py) and
parsed by python-calamine in a child process of its own (`python -m dangjian.core.lib.workbooks`), which limits its
own address space (RLIMIT_AS: the parse may add `parse_memory_mb` to the child's start-up size) and CPU time
(RLIMIT_CPU), while the parent waits for each message no longer than `parse_seconds`. A parse that runs out of
memory, of time, or crashes ends the child and raises FileRefused with a Chinese message in the parent.

The child sends, over its stdout: ("book", worksheets), then for the first visible worksheet ("sheet", start, end,
head) with its first `head` rows, and waits. The parent asks for "rest" (the sheet's remaining rows, as ("rows",
[...]) chunks and ("end",)) or "sheet i" (the i-th visible worksheet instead, e.g. when the first is a template's
instructions). Meanwhile the parent does its own work: the parse overlaps with it as it did on a thread, and the rows'
conversion to Python objects moves into the child (the parent unpickles them, which is cheaper than calamine's own
conversion was on the parent's main thread).

`dangjian import-members FILE` starts the child before Django starts (read_ahead), so the two take the time of the
longer one; the importer then `take`s it. Framework-free: it runs before Django is set up, and in the child.
"""

import contextlib
import fcntl
import gc
import math
import os
import pickle
import select
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

from .filecheck import FileRefused, Limits

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})

ERR_UNREADABLE = "无法读取该文件，请确认它是未加密的 Excel 文件（.xlsx、.xls）或 CSV 文件"
ERR_PARSE_MEMORY = (
    "解析文件时超出内存上限（{limit:,} MB），文件可能含有大量空白或异常的单元格；请删除多余的行列后重新导入"
)
ERR_PARSE_TIMEOUT = "解析文件超时（超过 {limit:g} 秒），文件可能过大或结构异常；请拆分后分批导入"
ERR_PARSE_CRASHED = "解析文件时解析程序异常退出，文件可能已损坏；请在 Excel 中打开并另存为 .xlsx 后重新导入"

#: Rows per message: big enough that pickling is cheap per row, small enough that the parent starts at once.
CHUNK_ROWS = 2000
HEAD_ROWS = 20
_FRAME = struct.Struct(">I")
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
PIPE_BYTES = 1024 * 1024  # Linux's default /proc/sys/fs/pipe-max-size

_ahead: dict[tuple[str, int, int], "SheetProcess"] = {}
_lock = threading.Lock()


# ---- the parent's side ------------------------------------------------------------------------------------------


class SheetProcess:
    """A child process parsing one spreadsheet file. Use as a context manager, or call close()."""

    def __init__(self, path: str | Path, limits: Limits, *, head: int = HEAD_ROWS) -> None:
        self.path, self.limits, self.head_rows = str(path), limits, head
        self.started = time.monotonic()
        self._buffer = bytearray()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._timed_out = False
        env = dict(os.environ)
        # The child imports this very module, from wherever the parent found it (a checkout, the test run's path).
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", __name__, self.path, repr(asdict(limits)), str(head)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            close_fds=True,
        )
        self.sheets = 0

    def __enter__(self) -> "SheetProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        proc = self._proc
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        self._stderr.close()

    # -- the conversation --

    def open(self) -> int:
        """Wait for the book: the number of visible worksheets (at least 1)."""
        message = self._receive()
        self.sheets = message[1]
        return self.sheets

    def first_sheet(self) -> tuple:
        """("sheet", start, end, head) of the first visible worksheet (parsed unasked)."""
        return self._receive()

    def sheet(self, position: int) -> tuple:
        """("sheet", start, end, head) of the worksheet at `position` among the visible ones."""
        self._send(f"sheet {position}")
        return self._receive()

    def rest(self) -> Iterator[list]:
        """The current sheet's rows after its head."""
        self._send("rest")
        while True:
            message = self._receive()
            if message[0] == "end":
                return
            yield from message[1]

    def _send(self, command: str) -> None:
        try:
            self._proc.stdin.write(command.encode() + b"\n")
            self._proc.stdin.flush()
        except OSError:
            pass  # the child is gone: _receive says why

    def _receive(self) -> tuple:
        """The child's next message; FileRefused for a refusal, a parse error, a timeout or the child's death."""
        frame = self._read(_FRAME.size)
        message = pickle.loads(self._read(_FRAME.unpack(frame)[0]))
        if message[0] == "refused":
            raise FileRefused(message[1])
        if message[0] == "memory":
            raise FileRefused(ERR_PARSE_MEMORY.format(limit=self.limits.parse_memory_mb))
        if message[0] == "unreadable":
            raise FileRefused(ERR_UNREADABLE)
        return message

    def _read(self, size: int) -> bytes:
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + self.limits.parse_seconds
        while len(self._buffer) < size:
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                self._proc.kill()
                self._timed_out = True
                raise FileRefused(ERR_PARSE_TIMEOUT.format(limit=self.limits.parse_seconds))
            data = os.read(fd, 1 << 20)
            if not data:
                raise FileRefused(self._death())
            self._buffer += data
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def _death(self) -> str:
        """Why the child ended without a word: out of memory, out of CPU time, or a crash."""
        code = self._proc.wait()
        self._stderr.seek(0)
        said = self._stderr.read(64 * 1024).decode(errors="replace")
        if code == -24 or "SIGXCPU" in said:  # RLIMIT_CPU
            return ERR_PARSE_TIMEOUT.format(limit=self.limits.parse_seconds)
        if "memory allocation" in said or "MemoryError" in said or "out of memory" in said.lower():
            return ERR_PARSE_MEMORY.format(limit=self.limits.parse_memory_mb)
        if code in (-6, -9, -11):  # an abort (Rust's on a failed allocation), a kill, a segfault
            return ERR_PARSE_MEMORY.format(limit=self.limits.parse_memory_mb)
        return ERR_PARSE_CRASHED


def _key(path: str | Path) -> tuple[str, int, int] | None:
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns


def read_ahead(path: str | Path) -> None:
    """Start the child for a spreadsheet that is about to be imported, with the default limits (anything else is
    left alone). Settings are not read yet: take() hands it over only if the limits turn out the same."""
    if Path(path).suffix.lower() not in SPREADSHEET_SUFFIXES:
        return
    key = _key(path)
    if key is None:
        return
    with _lock:
        if key not in _ahead:
            _ahead[key] = SheetProcess(path, Limits())


def take(path: str | Path, limits: Limits | None = None, *, head: int = HEAD_ROWS) -> SheetProcess | None:
    """The child read_ahead started for this file, unchanged since, with these limits (once: handed over)."""
    if not _ahead:
        return None
    key = _key(path)
    with _lock:
        found = _ahead.pop(key, None) if key is not None else None
    if found is not None and ((limits is not None and found.limits != limits) or found.head_rows != head):
        found.close()
        return None
    return found


def command_file(args: Sequence[str], *, value_options: frozenset[str]) -> str | None:
    """The FILE argument of a command line (`import-members FILE --org CODE …`): the first argument that is neither
    an option nor an option's value."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in value_options:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


# ---- the child's side -------------------------------------------------------------------------------------------


def _limit_self(limits: Limits) -> None:
    """Cap this process: its address space at its present size plus the parse's allowance, its CPU time."""
    import resource

    with open("/proc/self/statm") as statm:
        present = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    cap = present + limits.parse_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    seconds = max(1, math.ceil(limits.parse_seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))


def _child(path: str, limits: Limits, head: int) -> None:  # pragma: no cover - runs in the child process
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    from . import filecheck

    gc.disable()  # rows are lists of scalars: no cycles to collect in this short-lived process
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, not into the conversation
    with contextlib.suppress(OSError):  # a bigger pipe: the child runs further ahead of the parent (Linux)
        fcntl.fcntl(out.fileno(), F_SETPIPE_SZ, PIPE_BYTES)
    commands = sys.stdin.buffer

    def send(message: tuple) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_FRAME.pack(len(data)) + data)
        out.flush()

    def announce(sheet) -> Iterator[list]:
        """Send the sheet's extent and head; the iterator of its remaining rows."""
        end = sheet.end
        if end is not None:
            filecheck.check_extent(end[0] + 1, end[1] + 1, limits)
        rows = sheet.iter_rows() if end is not None else iter(())
        first = [row for _, row in zip(range(head), rows, strict=False)]
        send(("sheet", sheet.start, end, first))
        return rows

    try:
        _limit_self(limits)
        try:
            filecheck.check_spreadsheet(path, Path(path).suffix.lower(), limits)
            book = CalamineWorkbook.from_path(path)
            indexes = [
                index
                for index, meta in enumerate(book.sheets_metadata)
                if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
            ] or [0]
            send(("book", len(indexes)))
            rows = announce(book.get_sheet_by_index(indexes[0]))
            while command := commands.readline().decode().strip():
                if command == "rest":
                    while chunk := [row for _, row in zip(range(CHUNK_ROWS), rows, strict=False)]:
                        send(("rows", chunk))
                    send(("end",))
                elif command.startswith("sheet "):
                    rows = announce(book.get_sheet_by_index(indexes[int(command.split()[1])]))
        except filecheck.FileRefused as refused:
            send(("refused", refused.message))
        except (CalamineError, OSError, ValueError, IndexError, UnicodeDecodeError):
            send(("unreadable",))
    except MemoryError:
        try:
            send(("memory",))
        except MemoryError:
            os._exit(3)
    except BrokenPipeError:
        pass  # the parent stopped listening
    os._exit(0)  # nothing to tear down


if __name__ == "__main__":  # pragma: no cover - the child process
    import ast

    _child(sys.argv[1], Limits(**ast.literal_eval(sys.argv[2])), int(sys.argv[3]))
