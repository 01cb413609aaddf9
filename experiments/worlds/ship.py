"""Ship a calibration with the package and take the defaults from its representative world.

    python experiments/worlds/ship.py results/plausible_worlds            # what would change
    python experiments/worlds/ship.py results/plausible_worlds --apply    # do it
    python experiments/worlds/ship.py results/plausible_worlds --apply \
        --answers results/answers/analysis/answers.csv    # the pick among worlds with an answer

Copies ``accepted.parquet`` and ``calibration.json`` of a ``concertsim calibrate`` directory
(which names the experiment file that made them and its SHA-256) into
``src/concertsim/data/worlds/``; with ``--apply``, also sets each uncertain parameter's
default in ``src/concertsim/params.py`` to the representative accepted world's value (3
significant digits; integers rounded) and regenerates ``scenarios/baseline.toml`` and the
ODD's generated tables.

With ``--answers`` (the ``answers.csv`` of ``concertsim analyze`` on a sweep of
``experiments/answers.toml``: the role-mix design in every accepted world), the representative
is chosen, by the same rule (nearest the medians, :func:`concertsim.calibrate.representative`),
among the accepted worlds that *have an answer*: some role mixes keep the structure stable, not
all, at every turnover level (``ANSWER_BAND`` of ``concertsim.experiment.analysis.worlds``;
issue 8). ``calibration.json`` then records the rule, the worlds with an answer and the pick
by the book alone, and ``accepted.parquet`` gains the column ``has_answer``. Run it only on a
calibration of the model as merged (ODD 11 says which), then rerun the pattern book and the
calibration's fresh-seed test (``tests/test_worlds.py``).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "concertsim" / "data" / "worlds"
PARAMS = ROOT / "src" / "concertsim" / "params.py"


def new_defaults(summary: dict) -> dict[str, float]:
    """The representative world's values, rounded as a default is written."""
    from concertsim.scenario import parameter_info

    out = {}
    for name, value in (summary["representative"] or {}).items():
        if name == "run_id":
            continue
        out[name] = int(round(value)) if parameter_info(name).integer else float(f"{value:.3g}")
    return out


def set_default(text: str, dotted: str, value: float) -> str:
    """``params.py`` with the default of ``section.name`` replaced (the first ``_f(`` argument
    of the field in the section's class)."""
    from concertsim.params import SECTIONS

    cls = SECTIONS[dotted.split(".")[0]].__name__
    name = dotted.split(".")[1]
    start = text.index(f"class {cls}")
    field = re.compile(rf"(\n    {name}: \w+ = _f\(\s*)([^,]+)(,)")
    m = field.search(text, start)
    if m is None:
        raise SystemExit(f"{dotted}: field not found in {PARAMS}")
    return text[: m.start(2)] + repr(value) + text[m.end(2) :]


def with_answers(summary: dict, accepted, answers_csv: Path) -> tuple[dict, object]:
    """The summary and accepted worlds with the representative picked among the worlds that
    have an answer (module docstring)."""
    import pandas as pd

    from concertsim.calibrate import representative
    from concertsim.experiment.analysis.worlds import ANSWER_BAND

    table = pd.read_csv(answers_csv)
    has = table.groupby("world")["in_band_everywhere"].first().sort_index()
    if len(has) != len(accepted):
        raise SystemExit(f"{answers_csv}: {len(has)} worlds, but {len(accepted)} accepted")
    accepted = accepted.reset_index(drop=True)
    accepted["has_answer"] = has.to_numpy(bool)  # world = the row of accepted.parquet
    if not accepted["has_answer"].any():
        raise SystemExit(f"{answers_csv}: no accepted world has an answer; nothing to pick")
    bounds = {k: tuple(v["prior"]) for k, v in summary["parameters"].items()}
    pick = representative(accepted[accepted["has_answer"]], bounds)
    row = accepted.loc[pick]
    accepted["representative"] = accepted.index == pick
    level = next(c for c in table if c.startswith("turnover."))
    mine = table[table["world"] == pick]
    counts = {f"{level}={v:g}": int(k) for v, k in mine[[level, "stable_mixes"]].values}
    out = dict(summary)
    out["representative_by_book"] = summary["representative"]
    out["representative"] = {"run_id": int(row["run_id"]), **{k: float(row[k]) for k in bounds}}
    out["answer"] = {
        "band": list(ANSWER_BAND),
        "rule": "nearest the medians among the accepted worlds that have an answer",
        "worlds_with_answer": int(accepted["has_answer"].sum()),
        "worlds": len(accepted),
        "stable_mixes_of_representative": counts,
        "mixes": int(table["mixes"].max()),
    }
    return out, accepted


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("calibration", help="a concertsim calibrate --out directory")
    ap.add_argument("--apply", action="store_true", help="write the files and the defaults")
    ap.add_argument("--answers", type=Path, help="answers.csv: pick among worlds with an answer")
    args = ap.parse_args(argv)
    src = Path(args.calibration)
    summary = json.loads((src / "calibration.json").read_text())
    if not summary.get("complete", True):
        raise SystemExit(f"{src}: a partial calibration; finish it before shipping it")
    import pandas as pd

    accepted = pd.read_parquet(src / "accepted.parquet")
    if args.answers:
        summary, accepted = with_answers(summary, accepted, args.answers)
        a, rep, book = (
            summary["answer"],
            summary["representative"],
            summary["representative_by_book"],
        )
        print(
            f"{a['worlds_with_answer']} of {a['worlds']} accepted worlds have an answer; "
            f"representative: run {rep['run_id']} (by the book alone: run {book['run_id']})"
        )
    defaults = new_defaults(summary)
    for k, v in defaults.items():
        print(f"{k}: default -> {v}")
    if not args.apply:
        print(f"(dry run: --apply copies into {DATA} and changes {PARAMS})")
        return 0
    DATA.mkdir(parents=True, exist_ok=True)
    accepted.to_parquet(DATA / "accepted.parquet")
    (DATA / "calibration.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    text = PARAMS.read_text()
    for k, v in defaults.items():
        text = set_default(text, k, v)
    PARAMS.write_text(text)
    # a longer default can push a line past the limit: format as `make format` does
    subprocess.run([sys.executable, "-m", "ruff", "format", str(PARAMS)], check=True)
    env = {"PYTHONPATH": str(ROOT / "src")}
    code = "from concertsim.docs import defaults_toml; print(defaults_toml(), end='')"
    baseline = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, check=True).stdout  # fmt: skip
    (ROOT / "src" / "concertsim" / "scenarios" / "baseline.toml").write_text(baseline)
    subprocess.run([sys.executable, "-m", "concertsim.docs"], env=env, check=True, cwd=ROOT)
    print(f"shipped into {DATA}; defaults set; now rerun `concertsim patterns` and the tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
