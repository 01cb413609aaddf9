"""Where a run's results may go, and replacing an old result without ever losing both.

Which ``--out`` is accepted: :func:`check_out_dir` (before the simulation) and
:func:`replacing` (when writing) take a new path or an empty directory. A previous result
(a ``manifest.json`` of kind ``concertsim.run``, or of the keys run manifests had before
the marker, and nothing but the files that manifest lists in ``"files"``) is replaced
only with ``force=True`` and only by the same command (``kind=``), else
:class:`FileExistsError`. Everything else is refused with a one-line
:class:`~concertsim.errors.InputError` before anything is touched: another non-empty
directory, a file, a symbolic link, a mount point, ``/``, the current directory, home or
a parent of them, the package (inside or above), the repository root, a path ending in
``..``, a name shaped like our temporaries, a path under a file or an unwritable
directory, a name too long for the temporaries.

Crash-safe replacement: the new output is written into ``.<name>.tmp-<id>`` beside
``<name>`` (``<id>``: 32 hex digits; every file on disk before it takes its name). With
nothing (or an empty directory) at ``<name>``, one ``os.rename``. Over an old result,
Linux >= 3.15 swaps the two directories in one atomic ``renameat2(RENAME_EXCHANGE)``, so
``<name>`` always holds a complete output; the old one, now under the ``.tmp-`` name, is
removed (``manifest.json`` first, so a half-removed directory never looks like a
result). Elsewhere: ``<name>`` -> ``.<name>.old-<id>``, new -> ``<name>``, old removed;
a kill between those renames leaves the old output whole under ``.old-``.

If, when the new output is complete, ``<name>`` holds something other than what
:func:`check_out_dir` saw at the start (another run wrote there meanwhile), nothing is
replaced: the new output is renamed to ``<name>.conflict-<8 hex>`` and an
:class:`~concertsim.errors.InputError` says so.

Every start for the same ``--out`` first recovers: a ``.old-`` with nothing at ``<name>``
is renamed back, ``.old-`` beside a complete result and every ``.tmp-`` are removed. Only
directories holding nothing but result files are ever removed. Recovery and the swap run
under an exclusive ``flock`` on the parent directory, which the kernel releases when a
process dies, so a temporary seen under it is a dead process's leftover (without locks,
only ``.tmp-`` older than this process are removed).

Example:
    >>> import tempfile, pathlib
    >>> parent = pathlib.Path(tempfile.mkdtemp())
    >>> check_out_dir(parent / "results" / "baseline").name
    'baseline'
    >>> (parent / "notes").mkdir()
    >>> _ = (parent / "notes" / "todo.txt").write_text("keep me")
    >>> check_out_dir(parent / "notes", force=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    concertsim.errors.InputError: --out: .../notes: expected ..., got a directory without ...
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import stat
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from concertsim import atomic
from concertsim.errors import InputError, verbatim
from concertsim.renameat import exchange as _exchange
from concertsim.resultfiles import identity as _identity
from concertsim.resultfiles import listed as _listed
from concertsim.resultfiles import own_files as _own_files

__all__ = ["FORMATS", "KIND", "RESULT_FILES", "check_out_dir", "replacing"]

FORMATS = ("parquet", "csv")
"""Table formats a run writes."""

KIND = "concertsim.run"
"""The ``"kind"`` of a run's ``manifest.json``: what marks a directory as a run's result."""


RESULT_FILES = frozenset(
    {"manifest.json", "figure.png", *(f"{t}.{f}" for t in ("series", "outcomes") for f in FORMATS)}
)
"""The names a run writes (a result's own files are those its manifest lists)."""

_EXPECTED = "a new or empty directory, or a result of `concertsim {}` to replace with --force"
_LEGACY_KEYS = frozenset({"concertsim_version", "command", "seeds", "files", "scenario"})
"""Keys every run manifest had before ``"kind"`` was added."""
_ID_HEX = 32
_WRITER_TEMP = re.compile(rf"\.tmp-[0-9a-f]{{{_ID_HEX}}}-(.+)")
"""An :func:`concertsim.atomic.temporary_name` left by a killed write."""
_TEMPORARY = re.compile(rf"\..+\.(tmp|old)-[0-9a-f]{{{_ID_HEX}}}")
"""The name of a temporary of some output (which recovery may rename or remove)."""
_LOCK_TIMEOUT = 120.0
"""Seconds to wait for another concertsim process writing in the same directory."""
_STARTED = time.time()
"""When this process imported the module (leftovers older than it are dead, lock or not)."""


def _refuse(out: Path, expected: str, got: str) -> InputError:
    return InputError("--out", str(out), expected, verbatim(got))


def _same(a: Path, b: Path) -> bool:
    """Whether two paths name the same file (by inode where both exist)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a == b


@functools.cache
def _repository_root() -> Path | None:
    """The source checkout holding this package (``<root>/src/concertsim``), if any."""
    package = Path(__file__).resolve().parent
    for candidate in package.parents[:3]:
        if (candidate / "pyproject.toml").is_file() or (candidate / ".git").exists():
            return candidate
    return None


def _forbidden(target: Path) -> str | None:
    """What ``target`` is, if it is a place an output directory must never be."""
    package = Path(__file__).resolve().parent
    root = _repository_root()
    if _same(target, Path(target.anchor)):
        return "the root directory"
    places: list[tuple[Path, str]] = []
    with contextlib.suppress(OSError):
        places.append((Path.cwd().resolve(), "the current directory"))
    with contextlib.suppress(RuntimeError, KeyError):
        places.append((Path.home().resolve(), "the home directory"))
    if root is not None:
        places.append((root, "the repository root"))
    places.append((package, "the concertsim package"))
    for place, what in places:
        if _same(target, place):
            return what
        if any(_same(target, p) for p in place.parents):
            return f"a parent of {what}"
    if package in target.parents:
        return "a path inside the concertsim package"
    return None


def _location(out: Path) -> Path:
    """The absolute path whose last component is the entry ``--out`` names.

    The parent is resolved (symbolic links in it followed); the last component is
    kept as is, since renames act on it, not on what it may point to.
    """
    try:
        if out.name in ("", ".."):
            what = _forbidden(out.resolve()) or "a path ending in '..'"
            raise _refuse(out, "a path ending in a directory name", what)
        parent = out.parent.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of symbolic links
        raise _refuse(out, "a path that can be resolved", str(exc)) from None
    if _TEMPORARY.fullmatch(out.name):
        raise _refuse(out, "a name other than concertsim's temporary ones", "one of them")
    target = parent / out.name
    what = _forbidden(target)
    if what is not None:
        raise _refuse(out, "a directory of results, not a place holding other things", what)
    return target


def _check_writable(target: Path, out: Path) -> None:
    """Refuse a path under a file or an unwritable directory, or a name too long."""
    ancestor = target.parent
    while not os.path.lexists(ancestor) and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise _refuse(out, "a path under a writable directory", f"{ancestor} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise _refuse(out, "a path under a writable directory", f"{ancestor} is not writable")
    try:
        name_max = os.pathconf(ancestor, "PC_NAME_MAX")
        path_max = os.pathconf(ancestor, "PC_PATH_MAX")
    except (OSError, ValueError):
        name_max, path_max = 255, 4096
    size = len(os.fsencode(target.name))
    extra = len(f"..tmp-{'0' * _ID_HEX}")  # .<name>.tmp-<id>
    if size + extra > name_max:
        raise _refuse(out, f"a directory name of at most {name_max - extra} bytes", f"{size} bytes")
    # the longest path written: <parent>/.<name>.tmp-<id>/.tmp-<id>-manifest.json
    longest = len(os.fsencode(str(target))) + extra + len(f"/.tmp-{'0' * _ID_HEX}-manifest.json")
    if longest >= path_max:
        room = path_max - 1 - (longest - len(os.fsencode(str(target))))
        got = f"{len(os.fsencode(str(target)))} bytes"
        raise _refuse(out, f"an absolute path of at most {room} bytes", got)


def _some(names: Sequence[str]) -> str:
    """Up to three names, and how many more."""
    names = sorted(names)
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _not_a_result(path: Path, entries: Sequence[str], kind: str = KIND) -> str | None:
    """Why the directory ``path`` (holding ``entries``) is not a result of ``kind``, or None."""
    if "manifest.json" not in entries:
        return f"a directory without manifest.json (holding {_some(entries)})"
    manifest = path / "manifest.json"
    try:
        if not stat.S_ISREG(os.lstat(manifest).st_mode):
            return "a directory whose manifest.json is not a regular file"
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "a directory with an unreadable manifest.json"
    legacy = (
        kind == KIND
        and isinstance(data, dict)
        and "kind" not in data
        and _LEGACY_KEYS <= set(data)
        and isinstance(data["command"], list)
        and data["command"][1:2] == ["run"]
    )
    if not (isinstance(data, dict) and data.get("kind") == kind) and not legacy:
        return f'a directory whose manifest.json is not of "kind": "{kind}"'
    own = _listed(data)
    if own is None:
        return "a directory whose manifest.json does not list the result's files"
    extra = [e for e in entries if e not in own]
    if extra:
        return f"a result directory also holding {_some(extra)}"
    for entry in entries:
        try:
            regular = stat.S_ISREG(os.lstat(path / entry).st_mode)
        except OSError:
            return "a result directory that changed while it was looked at"
        if not regular:
            return f"a result directory whose {entry} is not a regular file"
    return None


_SEEN: dict[Path, Any] = {}
"""What :func:`check_out_dir` found at each target (see :func:`_identity`), for the swap."""
_UNSEEN = object()


def _check_existing(target: Path, out: Path, *, force: bool, kind: str = KIND) -> None:
    """Refuse what is at ``target`` unless it is nothing, an empty directory or a result."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _refuse(out, "a path that can be looked at", exc.strerror or str(exc)) from None
    if stat.S_ISLNK(info.st_mode):
        raise _refuse(out, "a directory, not a symbolic link", f"a link to {os.readlink(target)}")
    if not stat.S_ISDIR(info.st_mode):
        raise _refuse(out, "a directory (or a new path)", "a file")
    if os.path.ismount(target):
        raise _refuse(out, "a directory, not a mount point", "a mount point")
    try:
        entries = os.listdir(target)
    except OSError as exc:
        got = f"a directory that cannot be listed ({exc.strerror})"
        raise _refuse(out, _EXPECTED.format(kind.split(".")[-1]), got) from None
    if not entries:
        return
    problem = _not_a_result(target, entries, kind)
    if problem is not None:
        raise _refuse(out, _EXPECTED.format(kind.split(".")[-1]), problem)
    if not force:
        raise FileExistsError(f"{out} already exists (use --force to replace it)")


def check_out_dir(out_dir: str | Path, *, force: bool = False, kind: str = KIND) -> Path:
    """Refuse an output directory that cannot or must not be written; call before running.

    Recovers first from a killed earlier run for the same path (see the module's notes).

    Args:
        out_dir: the output directory asked for.
        force: whether a previous result there may be replaced.
        kind: the manifest ``"kind"`` of the results ``force`` may replace (this command's).

    Returns:
        ``out_dir`` as a :class:`~pathlib.Path`.

    Raises:
        FileExistsError: ``out_dir`` is a previous result and ``force`` is false.
        InputError: anything else that is not a new path or an empty directory.
    """
    out = Path(out_dir)
    target = _location(out)
    _check_writable(target, out)
    if target.parent.is_dir():
        with _lock(target.parent, out) as locked:
            _recover(target, locked=locked)
            _check_existing(target, out, force=force, kind=kind)
            _SEEN[target] = _identity(target)
    else:
        _check_existing(target, out, force=force, kind=kind)
        _SEEN[target] = None
    return out


def _temporary(target: Path, kind: str) -> Path:
    """A fresh ``.<name>.<kind>-<id>`` beside ``target``."""
    return target.with_name(f".{target.name}.{kind}-{uuid.uuid4().hex}")


def _leftovers(target: Path) -> tuple[list[Path], list[Path]]:
    """The ``.<name>.tmp-<id>`` and ``.<name>.old-<id>`` entries beside ``target``."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(tmp|old)-[0-9a-f]{{{_ID_HEX}}}")
    found: dict[str, list[Path]] = {"tmp": [], "old": []}
    try:
        names = os.listdir(target.parent)
    except OSError:
        return [], []
    for name in sorted(names):
        match = pattern.fullmatch(name)
        if match:
            found[match.group(1)].append(target.parent / name)
    return found["tmp"], found["old"]


def _removable(path: Path) -> bool:
    """A real directory holding only result files and the atomic writer's temporaries."""
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            return False
        own = _own_files(path, temporary=bool(_TEMPORARY.fullmatch(path.name)))
        for entry in os.scandir(path):
            writer = _WRITER_TEMP.fullmatch(entry.name)
            name = writer.group(1) if writer else entry.name
            if name not in own or not entry.is_file(follow_symlinks=False):
                return False
    except OSError:
        return False
    return True


def _complete(path: Path) -> bool:
    """A result directory (see :func:`_not_a_result`) holding every file its manifest lists."""
    try:
        entries = os.listdir(path)
        if stat.S_ISLNK(os.lstat(path).st_mode) or _not_a_result(path, entries) is not None:
            return False
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        listed = [f["path"] for f in manifest.get("files", {}).values()]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return False
    return all(isinstance(p, str) and p in entries for p in listed)


def _remove(path: Path) -> None:
    """Remove a temporary directory, its manifest first (never a result once half-gone)."""
    with contextlib.suppress(OSError):
        os.unlink(path / "manifest.json")
    shutil.rmtree(path, ignore_errors=True)


def _recover(target: Path, *, locked: bool) -> None:
    """Put right what a killed run left beside ``target`` (see the module's notes)."""
    tmps, olds = _leftovers(target)
    if not tmps and not olds:
        return
    if not os.path.lexists(target):
        newest_first = sorted(olds, key=_mtime, reverse=True)
        for old in newest_first:
            if _complete(old):
                try:
                    os.rename(old, target)
                except OSError:  # left as it is; the run goes on as if there were none
                    continue
                atomic.fsync_dir(target.parent)
                olds.remove(old)
                break
    if _complete(target):
        for old in olds:
            if _removable(old):
                _remove(old)
    for tmp in tmps:
        if _removable(tmp) and (locked or _mtime(tmp) < _STARTED):
            _remove(tmp)


def _mtime(path: Path) -> float:
    try:
        return os.lstat(path).st_mtime
    except OSError:
        return 0.0


@contextlib.contextmanager
def _lock(directory: Path, out: Path) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``directory``; yields whether it is held."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield False
        return
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        yield False
        return
    try:
        deadline = time.monotonic() + _LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    got = f"{directory} locked for {_LOCK_TIMEOUT:.0f} s"
                    raise _refuse(out, "no other concertsim writing beside it", got) from None
                time.sleep(0.05)
            except OSError:
                yield False
                return
        yield True
    finally:
        os.close(fd)


def _swap_in(tmp: Path, target: Path) -> None:
    """Put the complete ``tmp`` at ``target``; a previous result there is removed last."""
    parent = target.parent
    if not os.path.lexists(target) or (target.is_dir() and not os.listdir(target)):
        os.rename(tmp, target)  # onto nothing or an empty directory: atomic
        atomic.fsync_dir(parent)
        return
    if _exchange(tmp, target):  # target is new, tmp old, in one step
        atomic.fsync_dir(parent)
        if _removable(tmp):  # what was checked, not something put there since
            _remove(tmp)
        return
    old = _temporary(target, "old")
    os.rename(target, old)  # a kill from here ...
    try:
        os.rename(tmp, target)  # ... to here is undone by the next start's _recover
    except BaseException:
        os.rename(old, target)
        raise
    atomic.fsync_dir(parent)
    if _removable(old):
        _remove(old)


def _sync(directory: Path) -> None:
    """Flush every file of ``directory``, and the directory, to disk."""
    for entry in os.scandir(directory):
        fd = os.open(entry.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    atomic.fsync_dir(directory)


@contextlib.contextmanager
def replacing(out_dir: str | Path, *, force: bool = False, kind: str = KIND) -> Iterator[Path]:
    """Yield an empty temporary directory to fill; on success it becomes ``out_dir``.

    ``out_dir`` is checked as by :func:`check_out_dir` (again: things may have changed
    since), under a lock on its parent held until the new output is in place. If the
    body raises, the temporary is removed and whatever was at ``out_dir`` stays.

    Raises:
        FileExistsError: ``out_dir`` is a previous result and ``force`` is false.
        InputError: ``out_dir`` is refused (see :func:`check_out_dir`).
    """
    out = Path(out_dir)
    target = _location(out)
    _check_writable(target, out)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(target.parent, out) as locked:
        _recover(target, locked=locked)
        seen = _SEEN.pop(target, _UNSEEN)
        moved = seen is not _UNSEEN and _identity(target) != seen
        if not moved:
            _check_existing(target, out, force=force, kind=kind)
        tmp = _temporary(target, "tmp")
        os.mkdir(tmp)  # mode 0o777 less the umask, as results should be
        aside = target.with_name(f"{target.name}.conflict-{uuid.uuid4().hex[:8]}")
        try:
            yield tmp
            _sync(tmp)
            if moved:  # another run wrote there since our check: keep both, say so
                os.rename(tmp, aside)
                atomic.fsync_dir(target.parent)
            else:
                _swap_in(tmp, target)
        except BaseException:
            if _removable(tmp):
                _remove(tmp)
            raise
        if moved:
            got = f"another run wrote {out} meanwhile; your results are in {aside}"
            raise _refuse(out, "nothing written there since this run checked it", got)
