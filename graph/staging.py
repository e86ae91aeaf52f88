"""Loads of the embedded graph write a staged copy and publish it whole, so readers never see a file mid-write.

Why: LadybugDB takes an exclusive lock for a read-write open but none for a read-only one, so a reader (the
explorer, ``gapmap query``) opened while ``gapmap load`` writes the same file could read half-written pages,
and a long-lived reader would keep serving pages of a file that has changed under it.  So a writer:

1. takes ``graph.lbug.lock`` (one writer at a time; a second one gets a clear message naming the first),
2. copies the published ``graph.lbug`` to ``graph.lbug.next`` (or resumes the copy an interrupted load left,
   when it was made from the graph that is published now),
3. writes there, and on close renames it over ``graph.lbug`` in one step (``os.replace``).

A reader opens whichever file is published when it opens; the explorer notices a new one by its identity
(:func:`identity`) and reopens.  A reader that keeps the old file open goes on reading the old, complete
graph: the rename does not touch its open file.  Nothing here runs for Neo4j, which has its own transactions.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from pathlib import Path
from typing import IO

from core.errors import GapmapError


def staged_path(path: Path) -> Path:
    return path.with_name(path.name + ".next")


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _base_path(path: Path) -> Path:
    return path.with_name(path.name + ".next.base")


def identity(path: Path) -> str:
    """Which published file ``path`` is (inode, size, modification time); "" when there is none."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return ""
    return f"{st.st_ino}-{st.st_size}-{st.st_mtime_ns}"


class WriterLock:
    """The one-writer-at-a-time lock of an embedded graph (an advisory ``flock`` on ``graph.lbug.lock``)."""

    def __init__(self, path: Path) -> None:
        self.path = lock_path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] | None = open(self.path, "a+")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.seek(0)
            holder = self._file.read().strip() or "another process"
            self._file.close()
            self._file = None
            raise GapmapError(
                f"the embedded graph at {path} is being written by {holder}",
                hint="wait for that `gapmap load` to finish, then run this one again",
            ) from None
        self._file.seek(0)
        self._file.truncate()
        self._file.write(f"gapmap load (PID {os.getpid()})")
        self._file.flush()

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the flock
            self._file = None


def prepare(path: Path) -> Path:
    """The staged copy to write: an interrupted load's copy of the graph published now, else a fresh copy of
    it (none when nothing is published yet).  Call with the :class:`WriterLock` held."""
    staged, base = staged_path(path), _base_path(path)
    published = identity(path)
    recorded = base.read_text(encoding="utf-8") if base.exists() else None
    if staged.exists() and recorded is not None and json.loads(recorded) == published:
        return staged  # resume: what an interrupted load committed is kept
    for leftover in path.parent.glob(staged.name + "*"):
        if leftover != base:
            leftover.unlink()
    if path.exists():
        partial = staged.with_name(staged.name + ".copying")
        shutil.copyfile(path, partial)
        os.replace(partial, staged)
    base.write_text(json.dumps(published), encoding="utf-8")
    return staged


def publish(staged: Path, path: Path) -> None:
    """Make the closed staged copy the published graph, in one rename (fsynced, so a crash keeps one or the
    other whole)."""
    leftovers = [p for p in staged.parent.glob(staged.name + ".*") if p != _base_path(path)]
    if leftovers:  # a write-ahead log left means the copy was not closed cleanly: keep it staged
        raise GapmapError(
            f"the staged graph {staged} was not closed cleanly ({leftovers[0].name} remains)",
            hint="run `gapmap load` again: it resumes from the staged copy",
        )
    with open(staged, "rb") as f:
        os.fsync(f.fileno())
    os.replace(staged, path)
    with contextlib.suppress(FileNotFoundError):
        _base_path(path).unlink()
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
