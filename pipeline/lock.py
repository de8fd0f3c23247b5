"""One writer at a time: the workspace lock held by the commands that write (ingest, build, report, run, demo).

The lock is an OS file lock (fcntl.flock) on data/processed/.lagesbild.lock. The operating system
releases it when the holding process ends, however it ends (also kill -9), so a lock left by a dead
process never blocks: the file's existence means nothing, only a live holder does. The file tells a
waiting writer who holds it (pid, command, start time), for its message.

Holding the lock also makes the holder the only writer of the workspace's files, so temporary files
a killed writer left behind are removed when the lock is taken (pipeline.files.remove_temporaries).
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pipeline.config import Workspace
from pipeline.files import remove_temporaries

LOCK_NAME = ".lagesbild.lock"
DEFAULT_WAIT = 10.0  # seconds a second writer waits before it gives up
POLL = 0.1

_held: set[int] = set()  # the lock's file descriptors this process holds


def _close_in_child() -> None:
    """A forked child (a report worker) does not keep the parent's lock: it ends with its parent."""
    for fd in list(_held):
        try:
            os.close(fd)  # closing a duplicate releases nothing while the parent keeps its descriptor
        except OSError:
            pass
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)

PR_SET_PDEATHSIG = 1  # prctl(2)


def end_with_parent(parent: int) -> None:
    """A pool's worker dies with the run that started it (Linux), so a killed run leaves no worker
    behind (writing reports, examining files); the initializer of the writers' process pools."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the worker ends when its next job cannot be read
        pass
    if os.getppid() != parent:  # the run already died between fork and prctl
        os._exit(1)


@dataclass
class Holder:
    pid: int | None
    command: str
    started: dt.datetime | None


class WorkspaceBusy(Exception):
    """Another process writes in the workspace and did not finish within the wait."""

    def __init__(self, workspace: Workspace, holder: Holder, waited: float):
        self.workspace, self.holder, self.waited = workspace, holder, waited
        super().__init__(self.message)

    @property
    def message(self) -> str:
        who = [part for part in (self.holder.command, f"pid {self.holder.pid}" if self.holder.pid else "",
                                 f"startad {self.holder.started:%H:%M}" if self.holder.started else "") if part]
        waited = f" (väntade {self.waited:g} s)" if self.waited else ""
        return (f"En annan körning ({', '.join(who) or 'okänd process'}) skriver redan i arbetsmappen "
                f"{self.workspace.root.resolve()}; försök igen när den är klar{waited}.")


def lock_path(workspace: Workspace):
    return workspace.processed / LOCK_NAME


def read_holder(workspace: Workspace) -> Holder:
    """Who holds (or last held) the lock, from the lock file; unknown parts are None."""
    try:
        text = lock_path(workspace).read_text(encoding="utf-8")
    except OSError:
        return Holder(None, "", None)
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    try:
        pid = int(fields.get("pid", ""))
    except ValueError:
        pid = None
    try:
        started = dt.datetime.fromisoformat(fields.get("started", ""))
    except ValueError:
        started = None
    return Holder(pid, fields.get("command", ""), started)


def _try_lock(workspace: Workspace) -> int | None:
    """The locked file descriptor, or None when another process holds the lock."""
    path = lock_path(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # never O_TRUNC: the holder's note stays readable
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    try:
        same = os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        same = False
    if not same:  # the file was replaced between open and lock: lock the file that is there now
        os.close(fd)
        return _try_lock(workspace)
    return fd


def _note(fd: int, command: str) -> None:
    started = dt.datetime.now().replace(microsecond=0).isoformat()
    note = f"pid={os.getpid()}\ncommand={command}\nstarted={started}\n".encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, note, 0)


@contextmanager
def workspace_lock(workspace: Workspace, wait: float = DEFAULT_WAIT, command: str = "",
                   on_wait: Callable[[Holder], None] | None = None) -> Iterator[None]:
    """Hold the workspace's write lock for the block; wait at most `wait` seconds for another holder.

    Raises WorkspaceBusy when the lock is still held after the wait. `on_wait` is told once when the
    lock is not free at once.
    """
    command = command or " ".join(["lagesbild", *sys.argv[1:2]])
    deadline = time.monotonic() + max(wait, 0.0)
    fd = _try_lock(workspace)
    if fd is None and on_wait is not None and wait > 0:
        on_wait(read_holder(workspace))
    while fd is None:
        if time.monotonic() >= deadline:
            raise WorkspaceBusy(workspace, read_holder(workspace), wait)
        time.sleep(POLL)
        fd = _try_lock(workspace)
    _held.add(fd)
    try:
        _note(fd, command)
        remove_temporaries(workspace.processed, workspace.reports)
        yield
    finally:
        _held.discard(fd)
        os.close(fd)  # releases the lock; the file stays, and its existence blocks no one
