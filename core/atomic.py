"""Write a file or folder so that no reader ever sees it half-written.

Everything is written under a private name beside its final place (process id plus random token, so two runs
writing the same file never share a partial) and renamed into place only when complete: a crash leaves the old
version, or nothing, never a torn one.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(final: Path, *, first_wins: bool = False) -> Iterator[Path]:
    """A private path to write ``final`` at; renamed over ``final`` when the block ends without error.

    ``first_wins`` (for folders, which cannot be replaced by a rename): when ``final`` appeared meanwhile,
    another process finished first and its copy is kept. The partial is removed whenever it is not renamed.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(f"{final.stem}.{os.getpid()}-{secrets.token_hex(4)}.partial{final.suffix}")
    try:
        yield partial
        if first_wins:
            try:
                partial.rename(final)
            except OSError:
                _remove(partial)
        else:
            os.replace(partial, final)
    except BaseException:
        _remove(partial)
        raise


def write_text(path: Path, text: str) -> None:
    """``path.write_text(text)`` (UTF-8), atomically."""
    with atomic_path(path) as partial:
        partial.write_text(text, encoding="utf-8")


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
