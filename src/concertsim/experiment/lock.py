"""The store lock: an OS lock two processes can never both hold, released when its holder dies.

Example:
    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> with StoreLock(root) as lock:
    ...     try:
    ...         StoreLock(root).acquire()
    ...     except StoreBusyError as exc:
    ...         print("busy" if "store is busy (held by" in str(exc) else exc)
    busy
"""

from __future__ import annotations

import errno
import os
import socket
import stat
from pathlib import Path

from concertsim.errors import InputError, verbatim

__all__ = ["LOCK", "StoreBusyError", "StoreLock"]

LOCK = ".lock"
"""The lock file's name in a store."""


class StoreBusyError(InputError):
    """Another sweep holds the store."""


class StoreLock:
    """An exclusive OS lock on ``DIR/.lock``, held until :meth:`release` or process death.

    The lock is ``fcntl.flock(LOCK_EX | LOCK_NB)`` on a file kept open: two processes can
    never both hold it, and the kernel drops it when its holder dies, however it dies. The
    file also names its holder (``host:pid``) for the message of the process refused.
    """

    def __init__(self, root: str | Path) -> None:
        self.path = Path(root) / LOCK
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or refuse at once.

        Raises:
            StoreBusyError: another process holds it.
            OSError: the lock file cannot be opened (e.g. permission denied).
        """
        import fcntl

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NONBLOCK, 0o644)
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO, a device: never wait on it
            os.close(fd)
            got = verbatim("not a regular file")
            raise InputError(str(self.path), "", "the store's lock file (a regular file)", got)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            try:
                holder = self.path.read_text(encoding="utf-8").strip() or "a sweep starting"
            except OSError:
                holder = "another process"
            raise StoreBusyError(
                str(self.path.parent),
                "--out",
                "a store no other sweep is writing to",
                verbatim(f"store is busy (held by {holder})"),
                hint="wait for that sweep to end",
            ) from None
        self._fd = fd
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{socket.gethostname()}:{os.getpid()}\n".encode(), 0)
        except OSError:
            pass  # the name is for messages only; the lock is held

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def release(self) -> None:
        """Give the lock back (the file stays: removing it would race with a new holder)."""
        if self._fd is None:
            return
        import fcntl

        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass
        fcntl.flock(fd, fcntl.LOCK_UN)  # also for children forked meanwhile, which share it
        os.close(fd)

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
