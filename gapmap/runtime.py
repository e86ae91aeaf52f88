"""What every CLI command shares, and the one place where output leaves the program.

Commands receive the ``typer.Context`` and call :func:`workspace` rather than reading the environment
themselves, so ``--home`` and ``GAPMAP_HOME`` mean the same thing everywhere.

:func:`serve` is where output leaves the program: the entry point (``gapmap.cli.main``) runs the command line
through it, and it

- writes through :func:`outbound`: ``sys.stdout`` and ``sys.stderr`` redact secrets (``core.output.redact``)
  in everything written, whoever writes it (rich, click, a library's logging, a traceback);
- turns every error into ``error: ...`` and ``hint: ...``, one line each, redacted (:func:`run`): a
  :class:`~core.errors.GapmapError` as raised, a usage error with its ``--help``, any other exception
  (SQLite, overflow, a driver's) with its type and a hint.  The traceback is printed only with
  ``GAPMAP_DEBUG=1``;
- prints Python warnings and library log records as one ``warning: ...`` line each.

:class:`Program`, the root command group, checks every integer option and argument for the 64-bit range and
every float one for a finite value (a usage error naming the option, instead of an ``OverflowError`` deep in a
database driver), also when a test drives the app with ``CliRunner`` (which sees a ``GapmapError`` raised, as
a caller of the commands would).

The console never reads markup (``markup=False``): stored text printed through it is text, whatever brackets it
holds; commands style their own words with :func:`say`.  Data goes out through :func:`data_table`,
:func:`write_csv` and :func:`write_json`, which make control characters visible and defuse spreadsheet
formulas (``core.output``).
"""

from __future__ import annotations

import csv
import errno
import logging
import math
import sqlite3
import sys
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from core.errors import GapmapError
from core.output import csv_cell, one_line, redact, to_json, visible
from core.settings import settings
from core.workspace import Workspace

console = Console(stderr=True, markup=False, highlight=False)

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
DEBUG_HINT = "GAPMAP_DEBUG=1 shows the traceback"


@dataclass
class State:
    """Global options, parsed once by the root callback."""

    workspace: Workspace


def workspace(ctx: typer.Context) -> Workspace:
    """The workspace chosen by ``--home`` / ``GAPMAP_HOME``, created on first use."""
    root = ctx.find_root()
    state = root.obj if isinstance(root.obj, State) else State(Workspace.resolve())
    return state.workspace.ensure()


def ingested_workspace(ctx: typer.Context) -> Workspace:
    """The workspace, for a stage that reads the article store: one clear error when nothing was ingested yet."""
    ws = workspace(ctx)
    if not ws.article_store.is_file():
        raise GapmapError(f"no article store at {ws.article_store}", "run `gapmap ingest ...` first")
    return ws


def progress(*, transient: bool = False) -> Progress:
    """A rich progress bar on stderr (so ``--json`` output on stdout stays clean)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=transient,
    )


def say(label: str, text: str = "", style: str = "yellow") -> None:
    """``label text`` on stderr with only the label styled: ``text`` (a path, a record, a library's message) is
    printed as it is, never read as markup, its control characters shown."""
    console.print(Text.assemble((label, style), " " if text else "", visible(text)), soft_wrap=True)


# -- data on stdout ----------------------------------------------------------------------------------------------


def cell_text(value: Any, sep: str = ", ") -> str:
    """A value as one table cell's text (lists joined with ``sep``; ``None`` empty)."""
    if isinstance(value, list | tuple):
        return sep.join(cell_text(v, sep) for v in value)
    return "" if value is None else str(value)


def data_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None, sep: str = ", "
) -> Table:
    """A rich table whose cells are :class:`~rich.text.Text`: stored text is shown, never parsed as markup, and
    its escape sequences and bidirectional overrides are written out rather than sent to the terminal."""
    table = Table(title=Text(title) if title else None)
    for column in columns:
        table.add_column(Text(visible(column)), overflow="fold")
    for row in rows:
        table.add_row(*(Text(visible(cell_text(v, sep))) for v in row))
    return table


def stdout_console() -> Console:
    """A console on stdout for data tables: as wide as the terminal; in a pipe ``$COLUMNS`` (read by rich), at
    least 200."""
    wide = Console(markup=False, highlight=False)
    return wide if wide.is_terminal else Console(markup=False, highlight=False, width=max(200, wide.width))


def write_csv(rows: Sequence[dict[str, Any]], fields: Sequence[str] = (), out: IO[str] | None = None) -> None:
    """Rows as CSV on stdout (header: ``fields``, else the first row's keys): nested values JSON-encoded, every
    cell defused (``core.output.csv_cell``)."""
    fields = list(rows[0]) if rows else list(fields)
    writer = csv.writer(out or sys.stdout)
    writer.writerow([csv_cell(f) for f in fields])
    for row in rows:
        writer.writerow([csv_cell(to_json(v) if isinstance(v, list | dict) else v) for v in row.values()])


def write_secret_lines(lines: Iterable[str]) -> None:
    """The one deliberate exception to redaction: lines on stdout that must carry a secret because the user asked
    for them to ``eval`` them (``gapmap neo4j start --print-env`` exports the password it generated)."""
    stream = sys.stdout
    raw = stream.unredacted if isinstance(stream, RedactingStream) else stream
    raw.write("".join(f"{line}\n" for line in lines))
    raw.flush()


def write_json(value: Any) -> None:
    """``value`` as indented JSON on stdout (non-ASCII readable, control characters as ``\\uXXXX``)."""
    typer.echo(to_json(value, indent=2, default=str))


# -- the root command: options hardened, errors and warnings as one redacted line -------------------------------


class Program(TyperGroup):
    """The ``gapmap`` command group; see the module docstring."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        harden(self)
        return super().main(*args, **kwargs)


def serve(invoke: Callable[[], Any]) -> int:
    """Run the command line (``invoke``: the app in non-standalone mode) with every byte written redacted and
    every failure reported as one line; its exit code."""
    with outbound():
        return run(invoke)


def run(invoke: Callable[[], Any]) -> int:
    """Run the command line; its exit code, every failure reported by :func:`report`."""
    try:
        result = invoke()
    except typer.TyperException as exc:  # click's usage errors (typer vendors click)
        if type(exc).__name__ == "NoArgsIsHelpError":  # the help is already printed
            return exc.exit_code
        ctx = getattr(exc, "ctx", None)
        report(exc.format_message(), f"see `{ctx.command_path if ctx else 'gapmap'} --help`")
        return exc.exit_code
    except typer.Abort:
        report("aborted")
        return 1
    except GapmapError as exc:
        debug_traceback(exc)
        report(exc.message, exc.hint)
        return 2
    except BrokenPipeError:  # `gapmap query ... | head`: the reader has all it wanted
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        debug_traceback(exc)
        report(*describe(exc))
        return 1
    return result if isinstance(result, int) else 0


def report(message: str, hint: str = "") -> None:
    """``error: message`` and ``hint: hint`` on stderr, one line each, redacted and inert."""
    say("error:", one_line(redact(message)), "bold red")
    if hint:
        say("hint:", one_line(redact(hint)), "yellow")


def debug_traceback(exc: BaseException) -> None:
    """The traceback (redacted like everything else on stderr), when ``GAPMAP_DEBUG`` is set."""
    if _debug():
        traceback.print_exception(exc, file=sys.stderr)


def describe(exc: BaseException) -> tuple[str, str]:
    """Message and hint for an exception no gapmap code anticipated."""
    message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, sqlite3.IntegrityError | sqlite3.OperationalError) and (
        isinstance(exc, sqlite3.IntegrityError) or "locked" in str(exc) or "busy" in str(exc)
    ):
        return message, "another gapmap run is writing this workspace: let it finish, then run this again"
    if isinstance(exc, sqlite3.DatabaseError):
        return message, "the workspace's SQLite store is damaged: move it aside and ingest again; " + DEBUG_HINT
    if isinstance(exc, OverflowError):
        return message, "a number is too large: give values that fit in 64 bits"
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        text = f"{exc.strerror or exc}:{where}" if exc.strerror else message
        if exc.errno == errno.ENOSPC:
            return text, "the disk is full: free some space and run again (stored work is kept)"
        return text, "check the path, that its folder exists and that you may write there"
    if isinstance(exc, MemoryError):
        return "out of memory", "use a smaller batch (--batch-size) or fewer workers"
    if isinstance(exc, ValueError | TypeError | KeyError | IndexError):
        return message, "an input value is not what gapmap expects; " + DEBUG_HINT
    return message, "unexpected; " + DEBUG_HINT + " (please report it)"


def _debug() -> bool:
    try:
        return settings().debug
    except GapmapError:
        return False


# -- redaction of everything written --------------------------------------------------------------------------


class RedactingStream:
    """A text stream that redacts what is written to it before passing it on (everything else is delegated)."""

    def __init__(self, stream: IO[str], secrets: Sequence[str]) -> None:
        self._stream = stream
        self._secrets = tuple(secrets)

    @property
    def unredacted(self) -> IO[str]:
        """The stream written to (for :func:`write_secret_lines` only)."""
        return self._stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text, self._secrets))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def outbound() -> Iterator[None]:
    """For the duration of a run: stdout and stderr redact, warnings and library log records are one line."""
    try:
        secrets = settings().secrets()
    except GapmapError:  # a malformed setting: the command reports it; the patterns still redact
        secrets = []
    saved = sys.stdout, sys.stderr, warnings.showwarning
    sys.stdout = RedactingStream(sys.stdout, secrets)  # type: ignore[assignment]
    sys.stderr = RedactingStream(sys.stderr, secrets)  # type: ignore[assignment]
    warnings.showwarning = _show_warning
    handler = _OneLineLog()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        with suppress(OSError):  # a closed pipe: nothing more to say
            sys.stdout.flush()
        sys.stdout, sys.stderr, warnings.showwarning = saved


def _show_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: Any = None
) -> None:
    say("warning:", one_line(redact(str(message))), "yellow")


class _OneLineLog(logging.Handler):
    """Warnings and errors logged by libraries (the Neo4j driver, Streamlit, numba) as one line each."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            say(f"{record.levelname.lower()}:", one_line(redact(record.getMessage())), "yellow")
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


# -- options: 64-bit integers, finite floats ---------------------------------------------------------------------


def harden(command: Any) -> None:
    """Check every option and argument of ``command`` and its subcommands after typer has converted it: an
    integer must fit in 64 bits and a float must be finite (typer accepts ``99999999999999999999`` and ``nan``;
    the databases and NumPy then fail with a traceback)."""
    for param in command.params:
        if not getattr(param, "_gapmap_hardened", False):
            param.process_value = _checked(param.process_value, param)
            param._gapmap_hardened = True
    for sub in getattr(command, "commands", {}).values():
        harden(sub)


def _checked(process: Callable[[Any, Any], Any], param: Any) -> Callable[[Any, Any], Any]:
    def process_value(ctx: Any, value: Any) -> Any:
        value = process(ctx, value)
        for number in _numbers(value):
            if isinstance(number, int) and not INT64_MIN <= number <= INT64_MAX:
                raise typer.BadParameter(f"{number} is too large (integers fit in 64 bits)", ctx=ctx, param=param)
            if isinstance(number, float) and not math.isfinite(number):
                raise typer.BadParameter(f"{number} is not a finite number", ctx=ctx, param=param)
        return value

    return process_value


def _numbers(value: Any) -> Iterator[int | float]:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _numbers(item)
