"""``concertsim run --out DIR --force``: it replaces only a previous result, and a kill at
any step leaves the old or the new result at DIR (after the next start's recovery),
never nothing, never a mix.

The kill test drives ``tests/kill_at.py``, which patches the file-system calls from
outside and SIGKILLs the command at each of them in turn (see that script).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import concertsim
from concertsim import atomic, outdir, output
from concertsim.cli import main
from concertsim.output import check_out_dir

KILL_AT = Path(__file__).with_name("kill_at.py")
TINY = ["--months", "6", "--replicates", "2", "--no-progress"]
FILES = ["figure.png", "manifest.json", "outcomes.parquet", "series.parquet"]
SEEDS = {1: "old", 2: "new"}


def _env() -> dict[str, str]:
    """The environment for a subprocess, importing this concertsim."""
    env = dict(os.environ)
    src = str(Path(concertsim.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [env.get("PYTHONPATH")])])
    return env


def _snapshot(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root``: files by content, links by target, directories by name."""
    seen: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            seen[key] = "-> " + os.readlink(path)
        elif path.is_file():
            seen[key] = path.read_bytes()
        else:
            seen[key] = "dir"
    return seen


@pytest.fixture(scope="module")
def old_result(tmp_path_factory) -> Path:
    """A previous result of ``concertsim run`` (seed 1), to be replaced."""
    out = tmp_path_factory.mktemp("template") / "out"
    assert main(["run", "baseline", *TINY, "--seed", "1", "--out", str(out)]) == 0
    return out


def _state(out: Path, references: dict[str, Path]) -> str | None:
    """``"old"``, ``"new"`` (complete, and the same bytes as the reference) or None (absent)."""
    if not os.path.lexists(out):
        return None
    names = sorted(os.listdir(out))
    assert names == FILES, f"a part or a mix at {out}: {names}"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "concertsim.run"
    for entry in manifest["files"].values():
        assert atomic.sha256(out / entry["path"]) == entry["sha256"], f"{entry['path']} cut"
    which = SEEDS[manifest["seeds"]["entropy"]]
    reference = references.get(which)
    if reference is not None:
        for name in ("series.parquet", "outcomes.parquet", "figure.png"):
            assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    return which


def _template(tmp_path: Path, old_result: Path, mode: str) -> Path | None:
    """What is at and beside ``out`` before the run: a previous result, or a killed run's
    leftovers (the previous result set aside and a half-written new one), or nothing."""
    if mode == "fresh":
        return None
    template = tmp_path / "template"
    template.mkdir()
    if mode == "recovering":
        shutil.copytree(old_result, template / f".out.old-{uuid.uuid4().hex}")
        partial = template / f".out.tmp-{uuid.uuid4().hex}"
        partial.mkdir()
        data = (old_result / "series.parquet").read_bytes()
        (partial / "series.parquet").write_bytes(data[: len(data) // 2])
    else:
        shutil.copytree(old_result, template / "out")
    return template


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="tests/kill_at.py forks its runs")
@pytest.mark.parametrize("mode", ["exchange", "two-renames", "fresh", "recovering"])
def test_a_run_killed_at_any_step_leaves_the_old_or_the_new_result(tmp_path, old_result, mode):
    cases = tmp_path / "cases"
    command = [sys.executable, str(KILL_AT), "--every", str(cases)]
    template = _template(tmp_path, old_result, mode)
    if template is not None:
        command += ["--template", str(template)]
    if mode == "two-renames":
        command.append("--fallback")
    command += [
        "--",
        "run",
        "baseline",
        *TINY,
        "--seed",
        "2",
        "--out",
        "{out}",
        "--force",
    ]
    proc = subprocess.run(command, capture_output=True, text=True, env=_env(), timeout=1200)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.splitlines()[-1])
    points, status, labels = report["points"], report["status"], report["labels"]
    assert status["0"] == "exit 0", proc.stderr
    assert points >= 15, labels
    assert [k for k in range(1, points + 1) if status[str(k)] != "killed"] == [], status
    steps = " | ".join(labels.values())
    for step in (
        "in the middle of _write_table(series.parquet)",
        "in the middle of plot_series(figure.png)",
        "in the middle of write_bytes(manifest.json)",
        {
            "exchange": "after _exchange(",
            "two-renames": "after os.rename(out",
            "fresh": "",
            "recovering": "after os.rename(.out.old-",
        }[mode],
        "os.unlink(" if mode != "fresh" else "",
    ):
        assert step in steps, step

    references = {"old": old_result, "new": cases / "0" / "out"}
    assert _state(cases / "0" / "out", references) == "new"
    seen = set()
    for k in range(points + 1):
        case = cases / str(k)
        where = f"kill point {k}: {labels.get(str(k), 'none')}"
        before = _state(case / "out", references)
        beside = sorted(p.name for p in case.iterdir() if p.name != "out")
        if before is None:
            assert mode != "exchange", where
            if mode != "fresh":
                assert any(name.startswith(".out.old-") for name in beside), where
        check_out_dir(case / "out", force=True)  # the next start
        after = _state(case / "out", references)
        expected = before or (None if mode == "fresh" else "old")
        assert after == expected, where
        assert sorted(p.name for p in case.iterdir()) == (["out"] if after else []), where
        seen.add(after)
    assert seen == ({None, "new"} if mode == "fresh" else {"old", "new"})


# --------------------------------------------------------------------------- refusals

QUICK = ["--months", "2", "--replicates", "1", "--no-progress"]


def _refused(capsys, argv: list[str], *fragments: str) -> str:
    """``main(argv)`` exits 2 with one line naming ``--out``, before running anything."""
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2, captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("concertsim: error: --out: "), captured.err
    assert captured.out == "", "refused before running"
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def workspace(tmp_path, monkeypatch, old_result) -> Path:
    """A working directory with ``results/`` (a previous result and notes) and a home."""
    work = tmp_path / "work"
    (work / "results").mkdir(parents=True)
    shutil.copytree(old_result, work / "results" / "baseline")
    (work / "results" / "notes.txt").write_text("what I found")
    (work / "thesis").mkdir()
    (work / "thesis" / "chapter1.tex").write_text("precious")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("# mine")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    return tmp_path


def test_force_on_a_folder_that_is_not_a_result_is_refused(capsys, workspace):
    before = _snapshot(workspace)
    for force in ([], ["--force"]):
        argv = ["run", "baseline", *QUICK, "--out", "thesis", *force]
        _refused(capsys, argv, "thesis: expected", "without manifest.json", "chapter1.tex")
    assert _snapshot(workspace) == before


def test_force_on_results_itself_through_a_scenario_named_dot_is_refused(capsys, workspace):
    """``..toml`` would be named ``.`` and write to ``results/.``: refused (by the scenario's
    name rule before the output's own guard is reached), nothing touched."""
    (workspace / "work" / "..toml").write_text('extends = "baseline"\n')
    (workspace / "work" / "...toml").write_text('extends = "baseline"\n')
    before = _snapshot(workspace)
    for argv in (["run", "..toml", *QUICK, "--force"], ["run", "...toml", *QUICK, "--force"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("concertsim: error:") and "name" in err[0]
    _refused(capsys, ["run", "baseline", *QUICK, "--force", "--out", "results"], "notes.txt")
    assert _snapshot(workspace) == before


@pytest.mark.parametrize(
    "out, what",
    [
        (".", "the current directory"),
        ("..", "a parent of the current directory"),
        ("results/..", "the current directory"),
        ("/", "the root directory"),
        ("{home}", "the home directory"),
        ("{package}", "the concertsim package"),
        ("{package}/results", "inside the concertsim package"),
        ("{root}", "the repository root"),
        ("{root}/src", "a parent of the concertsim package"),
        ("results/baseline/series.parquet", "got a file"),
        ("results/notes.txt/out", "is not a directory"),
        ("link", "not a symbolic link"),
        ("x" * 300, "a directory name of at most"),
    ],
)
def test_force_on_what_is_not_a_result_is_refused(capsys, workspace, out, what):
    root = outdir._repository_root()
    if "{root}" in out and root is None:
        pytest.skip("not run from a source checkout")
    (workspace / "work" / "link").symlink_to(workspace / "work" / "results" / "baseline")
    package = Path(output.__file__).resolve().parent
    out = out.format(home=workspace / "home", package=package, root=root)
    before = _snapshot(workspace)
    _refused(capsys, ["run", "baseline", *QUICK, "--out", out, "--force"], what)
    assert _snapshot(workspace) == before
    assert not (package / "results").exists()


def test_force_replaces_a_previous_result_and_an_empty_directory_is_used(capsys, workspace):
    notes = (workspace / "work" / "results" / "notes.txt").read_bytes()
    argv = ["run", "baseline", *QUICK, "--seed", "2", "--out", "results/baseline"]
    assert main(argv) == 2 and "--force" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0
    capsys.readouterr()
    results = workspace / "work" / "results"
    manifest = json.loads((results / "baseline" / "manifest.json").read_text())
    assert manifest["seeds"]["entropy"] == 2 and manifest["kind"] == "concertsim.run"
    assert sorted(p.name for p in results.iterdir()) == ["baseline", "notes.txt"]
    assert (results / "notes.txt").read_bytes() == notes
    (workspace / "work" / "empty").mkdir()
    assert main(["run", "baseline", *QUICK, "--out", "empty"]) == 0
    assert (workspace / "work" / "empty" / "manifest.json").is_file()


@pytest.mark.slow
def test_the_command_line_refuses_in_one_line(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "keep.csv").write_text("a,b\n")
    proc = subprocess.run(
        [sys.executable, "-m", "concertsim", "run", "baseline", *QUICK]
        + ["--out", str(folder), "--force"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"concertsim: error: --out: {folder}: expected a new or empty directory, or a result "
        "of `concertsim run` to replace with --force, got a directory without "
        "manifest.json "
        "(holding keep.csv)"
    ]
    assert (folder / "keep.csv").read_text() == "a,b\n"


def test_force_on_a_result_holding_a_file_its_manifest_does_not_list_is_refused(capsys, workspace):
    """Hostile review B3: ``series.csv`` beside a Parquet result is the user's, never removed."""
    (workspace / "work" / "results" / "baseline" / "series.csv").write_text("a,b\n")
    before = _snapshot(workspace)
    argv = ["run", "baseline", *QUICK, "--out", "results/baseline", "--force"]
    _refused(capsys, argv, "also holding series.csv")
    assert _snapshot(workspace) == before


def test_a_result_written_at_out_by_another_run_meanwhile_is_not_replaced(
    capsys, workspace, monkeypatch
):
    """Hostile review B7: two runs at once; the second keeps its results beside, and says so."""
    from concertsim import simulate

    real = simulate.run_scenario
    other = workspace / "work" / "results" / "baseline"

    def meanwhile(*args, **kwargs):  # another run writes ``cf`` while this one simulates
        shutil.copytree(other, workspace / "work" / "cf")
        return real(*args, **kwargs)

    monkeypatch.setattr(simulate, "run_scenario", meanwhile)
    for force in (["--force"], []):
        shutil.rmtree(workspace / "work" / "cf", ignore_errors=True)
        code = main(["run", "baseline", *QUICK, "--seed", "2", "--out", "cf", *force])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and err[0].startswith("concertsim: error: --out: cf")
        assert "another run wrote cf meanwhile; your results are in" in err[0]
        assert _snapshot(workspace / "work" / "cf") == _snapshot(other)  # the other's, intact
        asides = sorted((workspace / "work").glob("cf.conflict-*"))
        assert (
            asides
            and json.loads((asides[-1] / "manifest.json").read_text())["seeds"]["entropy"] == 2
        )
