"""Ship a calibration with the package and take the defaults from its representative world.

    python experiments/worlds/ship.py results/plausible_worlds            # what would change
    python experiments/worlds/ship.py results/plausible_worlds --apply    # do it

Copies ``accepted.parquet`` and ``calibration.json`` of a ``concertsim calibrate`` directory,
with the experiment file that made them, into ``src/concertsim/data/worlds/``; with
``--apply``, also sets each uncertain parameter's default in ``src/concertsim/params.py`` to
the representative accepted world's value (3 significant digits; integers rounded) and
regenerates ``scenarios/baseline.toml`` and the ODD's generated tables. Run it only on a
calibration of the model as merged (ODD 11 says which), then rerun the pattern book and the
calibration's fresh-seed test (``tests/test_worlds.py``).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("calibration", help="a concertsim calibrate --out directory")
    ap.add_argument("--apply", action="store_true", help="write the files and the defaults")
    args = ap.parse_args(argv)
    src = Path(args.calibration)
    summary = json.loads((src / "calibration.json").read_text())
    if not summary.get("complete", True):
        raise SystemExit(f"{src}: a partial calibration; finish it before shipping it")
    defaults = new_defaults(summary)
    for k, v in defaults.items():
        print(f"{k}: default -> {v}")
    if not args.apply:
        print(f"(dry run: --apply copies into {DATA} and changes {PARAMS})")
        return 0
    DATA.mkdir(parents=True, exist_ok=True)
    for name in ("accepted.parquet", "calibration.json"):
        shutil.copyfile(src / name, DATA / name)
    shutil.copyfile(summary["experiment_file"], DATA / "plausible_worlds.toml")
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
