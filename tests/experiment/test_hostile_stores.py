"""Damaged and foreign stores: one line ``concertsim: error: <file>: ...``, exit 2, nothing touched.

Each case damages a copy of a good store (with series) one way; then both ``concertsim sweep
... --out DIR`` (a resume) and ``concertsim analyze DIR`` must exit 2 with exactly one line on
stderr that starts ``concertsim: error:``, no traceback, within 10 s, and leave every file as
it was (nothing deleted, moved or rewritten).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from concertsim import atomic
from concertsim.cli import main
from concertsim.experiment.store import HASH_KEY, STORE_FORMAT

from .helpers import cli, cli_env, ishigami_lhs

RANDOM = bytes(range(256)) * 20


def _runs(d: Path, i: int = 0) -> Path:
    return sorted((d / "runs").glob("part-*.parquet"))[i]


def _series(d: Path, i: int = 0) -> Path:
    return sorted((d / "series").glob("part-*.parquet"))[i]


def _manifest(d: Path, change: Callable[[dict], object]) -> None:
    path = d / "manifest.json"
    data = json.loads(path.read_text())
    result = change(data)
    path.write_text(json.dumps(data if result is None else result))


def _truncate(path: Path, keep: float | int) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep) if isinstance(keep, float) else keep])


def _chop_end(path: Path, n: int) -> None:
    path.write_bytes(path.read_bytes()[:-n])


def _zero_pages(path: Path) -> None:
    """A damaged disk block in the data pages: the footer still reads fine."""
    data = bytearray(path.read_bytes())
    data[200:260] = bytes(60)
    path.write_bytes(bytes(data))


def _foreign(d: Path, other: Path, kind: str = "runs", into: str | None = None) -> None:
    part = sorted((other / kind).glob("part-*.parquet"))[0]
    name = part.name.replace(part.name[-16:-8], "f0f0f0f0")
    shutil.copy(part, d / (into or kind) / name)


def _ours(d: Path, frame: pd.DataFrame, name: str, kind: str = "runs") -> None:
    """A part that carries this store's hash (so only its content is wrong)."""
    theirs = json.loads((d / "manifest.json").read_text())["experiment_hash"]
    atomic.write_table(d / kind / name, frame, {HASH_KEY: theirs})


def _renamed(d: Path) -> None:
    part = _runs(d, 1)
    part.rename(part.with_name("part-000000000000-000000000002-abcdef01.parquet"))


def _duplicate(d: Path) -> None:
    part = _runs(d, 0)
    shutil.copy(part, part.with_name(part.name[:-16] + "dddddddd.parquet"))


CASES: dict[str, Callable[[Path, Path], None]] = {
    "runs part of random bytes": lambda d, o: _runs(d).write_bytes(RANDOM),
    "runs part truncated to half": lambda d, o: _truncate(_runs(d), 0.5),
    "runs part emptied": lambda d, o: _truncate(_runs(d), 0),
    "runs part missing its last bytes": lambda d, o: _chop_end(_runs(d), 10),
    "runs part with zeroed pages": lambda d, o: _zero_pages(_runs(d)),
    "series part of random bytes": lambda d, o: _series(d).write_bytes(RANDOM),
    "series part truncated": lambda d, o: _truncate(_series(d), 0.5),
    "pending part of random bytes": lambda d, o: (d / "pending" / _runs(d).name).write_bytes(
        RANDOM
    ),
    "new runs part of random bytes": lambda d, o: (
        d / "runs" / "part-000000000000-000000000000-00000000.parquet"
    ).write_bytes(RANDOM),
    "design of random bytes": lambda d, o: (d / "design.parquet").write_bytes(RANDOM),
    "design truncated": lambda d, o: _truncate(d / "design.parquet", 0.5),
    "design missing": lambda d, o: (d / "design.parquet").unlink(),
    "design of another store": lambda d, o: shutil.copy(o / "design.parquet", d),
    "manifest not JSON": lambda d, o: (d / "manifest.json").write_text("{not json"),
    "manifest empty": lambda d, o: (d / "manifest.json").write_text(""),
    "manifest of binary bytes": lambda d, o: (d / "manifest.json").write_bytes(RANDOM),
    "manifest a JSON array": lambda d, o: _manifest(d, lambda m: [m]),
    "manifest a JSON string": lambda d, o: _manifest(d, lambda m: "store"),
    "manifest null": lambda d, o: (d / "manifest.json").write_text("null"),
    "manifest without experiment_hash": lambda d, o: _manifest(
        d, lambda m: m.pop("experiment_hash") and None
    ),
    "manifest without n_runs": lambda d, o: _manifest(d, lambda m: m.pop("n_runs") and None),
    "manifest without design": lambda d, o: _manifest(d, lambda m: m.pop("design") and None),
    "manifest without seed_entropy": lambda d, o: _manifest(
        d, lambda m: m.pop("seed_entropy") and None
    ),
    "manifest without store_format": lambda d, o: _manifest(
        d, lambda m: m.pop("store_format") and None
    ),
    "manifest with n_runs a string": lambda d, o: _manifest(d, lambda m: m.update(n_runs="12")),
    "manifest with replicates 0": lambda d, o: _manifest(d, lambda m: m.update(replicates=0)),
    "manifest with seed_entropy not a number": lambda d, o: _manifest(
        d, lambda m: m.update(seed_entropy="abc")
    ),
    "manifest with design columns not a list": lambda d, o: _manifest(
        d, lambda m: m["design"].update(columns="x1")
    ),
    "manifest of a newer format": lambda d, o: _manifest(
        d, lambda m: m.update(store_format=STORE_FORMAT + 1)
    ),
    "manifest of an older format": lambda d, o: _manifest(d, lambda m: m.update(store_format=1)),
    "manifest with store_format a string": lambda d, o: _manifest(
        d, lambda m: m.update(store_format="2")
    ),
    "runs part of another experiment": lambda d, o: _foreign(d, o),
    "series part of another experiment": lambda d, o: _foreign(d, o, "series"),
    "pending part of another experiment": lambda d, o: _foreign(d, o, "series", "pending"),
    "plain Parquet file in runs": lambda d, o: pd.DataFrame({"run_id": [0]}).to_parquet(
        d / "runs" / "part-000000000000-000000000000-0000beef.parquet"
    ),
    "stray file in runs": lambda d, o: (d / "runs" / "notes.txt").write_text("my notes"),
    "directory named like a part": lambda d, o: (
        d / "runs" / "part-000000000000-000000000000-0000abcd.parquet"
    ).mkdir(),
    "part whose name does not match its run ids": lambda d, o: _renamed(d),
    "the same part twice": lambda d, o: _duplicate(d),
    "part with run ids beyond the store": lambda d, o: _ours(
        d, pd.DataFrame({"run_id": [1000]}), "part-000000001000-000000001000-0000aaaa.parquet"
    ),
    "part without run_id": lambda d, o: _ours(
        d, pd.DataFrame({"y": [1.0]}), "part-000000000000-000000000000-0000bbbb.parquet"
    ),
    "part with run ids of float type": lambda d, o: _ours(
        d, pd.DataFrame({"run_id": [3.0]}), "part-000000000003-000000000003-0000cccc.parquet"
    ),
    "design a FIFO": lambda d, o: _fifo(d / "design.parquet"),
    "manifest a FIFO": lambda d, o: _fifo(d / "manifest.json"),
    "runs part a FIFO": lambda d, o: _fifo(_runs(d)),
    "series part a FIFO": lambda d, o: _fifo(_series(d)),
    "design a link out of the store": lambda d, o: _link(d / "design.parquet", o),
    "manifest of a `concertsim run` result": lambda d, o: _manifest(
        d, lambda m: {"kind": "concertsim.run", "scenario": {}, "seeds": {}, "files": {}}
    ),
}


def _fifo(path: Path) -> None:
    """A FIFO where a store file should be: opening it would wait forever (review B2)."""
    path.unlink()
    os.mkfifo(path)


def _link(path: Path, other: Path) -> None:
    path.unlink()
    path.symlink_to(other / path.name)


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> tuple[Path, Path, Path]:
    """The experiment file, a good store with series, and a store of another experiment."""
    root = tmp_path_factory.mktemp("hostile")
    exp = ishigami_lhs(root / "e.toml", n=6, replicates=2, batch_size=3, series=True)
    other = ishigami_lhs(root / "other.toml", n=5, replicates=2, batch_size=3, series=True,
                         noise=0.9)  # fmt: skip
    for path, out in ((exp, root / "good"), (other, root / "other")):
        assert main(["sweep", str(path), "--out", str(out), "--workers", "0", "--quiet"]) == 0
    return exp, root / "good", root / "other"


def _snapshot(d: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p.relative_to(d)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mode)
        for p in sorted(d.rglob("*"))
        if p.is_file()
    }


def _check_refused(command: list[str], d: Path, capsys) -> str:
    before = _snapshot(d)
    capsys.readouterr()
    t0 = time.monotonic()
    code = main(command)
    seconds = time.monotonic() - t0
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert err.startswith("concertsim: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err + out
    assert seconds < 10
    assert _snapshot(d) == before  # nothing deleted, moved or rewritten
    return err


FAST = {"runs part truncated to half", "manifest not JSON", "runs part of another experiment",
        "the same part twice", "manifest of a newer format", "design a FIFO", "manifest a FIFO",
        "runs part a FIFO", "series part a FIFO", "design a link out of the store",
        "manifest of a `concertsim run` result"}  # fmt: skip
"""Cases of the fast subset (``-m "not slow"``); the others are marked slow."""


@pytest.mark.parametrize("command", ["sweep", "analyze"])
@pytest.mark.parametrize(
    "case", [pytest.param(c, marks=() if c in FAST else pytest.mark.slow) for c in CASES]
)
def test_a_damaged_or_foreign_store_is_refused_in_one_line(
    case: str, command: str, stores, tmp_path: Path, capsys
):
    exp, good, other = stores
    d = tmp_path / "store"
    shutil.copytree(good, d)
    CASES[case](d, other)
    argv = (["sweep", str(exp), "--out", str(d), "--workers", "0"] if command == "sweep"
            else ["analyze", str(d), "--no-figures"])  # fmt: skip
    err = _check_refused(argv, d, capsys)
    assert str(d) in err  # the message names the store's file or directory


def test_there_are_enough_cases():
    assert len(CASES) >= 30


@pytest.mark.slow
@pytest.mark.parametrize("case", ["runs part of random bytes", "manifest not JSON"])
def test_a_damaged_store_in_a_real_subprocess(case: str, stores, tmp_path: Path):
    exp, good, other = stores
    d = tmp_path / "store"
    shutil.copytree(good, d)
    CASES[case](d, other)
    before = _snapshot(d)
    for argv in (["sweep", str(exp), "--out", str(d)], ["analyze", str(d), "--no-figures"]):
        proc = cli(*argv, timeout=30)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith("concertsim: error: ") and proc.stderr.count("\n") == 1
    assert _snapshot(d) == before


@pytest.mark.slow
def test_a_store_made_read_only_mid_sweep_names_the_real_cause(tmp_path: Path):
    """Root (as in CI) writes anywhere, so the wrapper denies writes as a read-only mount would."""
    exp = ishigami_lhs(tmp_path / "e.toml", n=6, replicates=2, batch_size=3, series=True)
    out = tmp_path / "out"
    env = cli_env(CONCERTSIM_TEST_READONLY_AFTER="5")  # after the first task's commit
    proc = cli("sweep", str(exp), "--out", str(out), "--workers", "0", env=env, timeout=60)
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr
    assert err.startswith("concertsim: error: ") and err.count("\n") == 1, err
    assert "permission denied" in err and f"errno {errno.EACCES}" in err
    assert ".lock" not in err and str(out) in err
    # made writable again, the same command finishes the sweep
    proc = cli("sweep", str(exp), "--out", str(out), "--workers", "0", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert main(["sweep", str(exp), "--out", str(tmp_path / "whole"), "--workers", "0"]) == 0
    from .helpers import run_table

    pd.testing.assert_frame_equal(run_table(out), run_table(tmp_path / "whole"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only directories")
def test_a_really_read_only_store(tmp_path: Path, capsys):  # pragma: no cover - non-root only
    exp = ishigami_lhs(tmp_path / "e.toml", n=4, replicates=2)
    out = tmp_path / "out"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "0"]) == 0
    for p in [out, *out.rglob("*")]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        (out / "manifest.json").chmod(0o444)
        assert main(["sweep", str(exp), "--out", str(out), "--workers", "0"]) in (0, 2)
        err = capsys.readouterr().err
        assert "Traceback" not in err
    finally:
        for p in [out, *out.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)


def test_a_lock_file_that_is_a_fifo_is_refused(stores, tmp_path: Path, capsys):
    """Hostile review B2: a FIFO as ``.lock`` never makes a sweep wait."""
    exp, good, other = stores
    d = tmp_path / "store"
    shutil.copytree(good, d)
    _fifo(d / ".lock")
    err = _check_refused(["sweep", str(exp), "--out", str(d), "--workers", "0"], d, capsys)
    assert ".lock: expected the store's lock file (a regular file)" in err


def test_a_run_result_as_sweep_out_is_named_as_such(stores, tmp_path: Path, capsys):
    exp, good, other = stores
    out = tmp_path / "r"
    assert main(["run", "baseline", "-n", "1", "--months", "2", "--out", str(out),
                 "--no-progress"]) == 0  # fmt: skip
    err = _check_refused(["sweep", str(exp), "--out", str(out), "--workers", "0"], out, capsys)
    assert "a `concertsim run` result, not a sweep store" in err


def test_a_symbolic_link_as_sweep_out_is_refused(stores, tmp_path: Path, capsys):
    """Hostile review B8: as ``run`` does."""
    exp, good, other = stores
    (tmp_path / "folder").mkdir()
    (tmp_path / "lnk").symlink_to(tmp_path / "folder")
    err = _check_refused(["sweep", str(exp), "--out", str(tmp_path / "lnk")], tmp_path, capsys)
    assert "not a symbolic link" in err and not any((tmp_path / "folder").iterdir())
