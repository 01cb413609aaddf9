"""Analysis: known Sobol indices of Ishigami, variance shares, Morris, mixture stability maps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from concertsim.experiment.analysis import analyze_store, variance_shares
from concertsim.experiment.cli import main
from concertsim.experiment.models import ISHIGAMI_S1, ISHIGAMI_ST
from concertsim.experiment.runner import run_sweep

from .helpers import ishigami_lhs, run_table

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


@pytest.mark.slow
def test_analyze_recovers_ishigami_sobol_indices(tmp_path: Path, capsys):
    out = tmp_path / "ishigami"
    assert main(["sweep", str(EXPERIMENTS / "ishigami.toml"), "--out", str(out)]) == 0
    assert main(["analyze", str(out)]) == 0
    assert "sobol.csv:" in capsys.readouterr().out
    sobol = pd.read_csv(out / "analysis" / "sobol.csv").set_index("parameter")
    np.testing.assert_allclose(sobol["S1"], ISHIGAMI_S1, atol=0.04)
    np.testing.assert_allclose(sobol["ST"], ISHIGAMI_ST, atol=0.04)
    assert (sobol["S1_conf"] > 0).all() and (sobol["ST_conf"] > 0).all()
    s2 = pd.read_csv(out / "analysis" / "sobol_s2.csv")
    x1x3 = s2[(s2["parameter_i"] == "x1") & (s2["parameter_j"] == "x3")]["S2"].item()
    assert x1x3 == pytest.approx(0.244, abs=0.06)  # the only interaction of Ishigami
    conv = pd.read_csv(out / "analysis" / "sobol_convergence.csv")
    assert conv["base_samples"].max() == 1024 and conv["base_samples"].nunique() >= 4
    for name in ("sobol_y.png", "sobol_convergence_y.png", "variance.png"):
        assert (out / "analysis" / name).stat().st_size > 5000


def test_variance_split_between_parameters_and_replicates(tmp_path: Path):
    # with common random numbers every point sees the same replicate draws: many replicates
    exp = ishigami_lhs(tmp_path / "e.toml", n=200, replicates=40, batch_size=2000, noise=2.0)
    run_sweep(exp, tmp_path / "out", executor="serial")
    report = analyze_store(tmp_path / "out", figures=False)
    row = report.tables["variance"].set_index("outcome").loc["y"]
    assert row["var_within"] == pytest.approx(4.0, rel=0.2)  # noise sd 2
    assert row["var_parameters"] == pytest.approx(13.84, rel=0.25)  # variance of Ishigami
    assert row["share_replicates"] == pytest.approx(4.0 / 17.84, abs=0.07)
    assert row["share_parameters"] + row["share_replicates"] == pytest.approx(1.0)


def test_variance_split_with_two_replicates_under_common_random_numbers(tmp_path: Path):
    # replicate r has the same noise at every point: the one-way split subtracts the noise
    # variance / R from var(point means) although the point means do not contain it
    exp = ishigami_lhs(tmp_path / "e.toml", n=400, replicates=2, batch_size=800, noise=4.0)
    exp.write_text(exp.read_text().replace("seed = 11", "seed = 10"))  # draws' var near 16
    run_sweep(exp, tmp_path / "out", executor="serial")
    report = analyze_store(tmp_path / "out", figures=False)
    row = report.tables["variance"].set_index("outcome").loc["y"]
    assert row["method"] == "two-way"
    truth = 13.84 / (13.84 + 16.0)  # 0.46: Ishigami's variance against the noise's
    assert row["var_parameters"] == pytest.approx(13.84, rel=0.1)
    assert row["share_parameters"] == pytest.approx(truth, abs=0.04)
    runs = run_table(tmp_path / "out")
    old = variance_shares(runs["point"].to_numpy(), runs["y"].to_numpy())  # one-way
    assert old["method"] == "one-way" and old["share_parameters"] < truth - 0.15


def test_two_way_split_is_unbiased_whatever_the_replicate_draws():
    rng = np.random.default_rng(0)
    f = rng.normal(0.0, 5.0, size=300)  # the parameters' effect, variance ~25
    points, reps = np.repeat(np.arange(300), 2), np.tile([0, 1], 300)
    new, old = [], []
    for _ in range(40):
        noise = rng.normal(0.0, 3.0, size=2)[reps] + rng.normal(0.0, 1.0, size=600)
        y = f[points] + noise
        new.append(variance_shares(points, y, reps)["var_parameters"])
        old.append(variance_shares(points, y)["var_parameters"])
    # E[var(point means)] = var(f) + 1 / 2 (the interaction); MS_res / 2 removes exactly that
    assert np.mean(new) == pytest.approx(np.var(f, ddof=1), rel=0.03)
    assert np.mean(old) < np.var(f, ddof=1) - 2.0  # one-way removes the common 9 / 2 too


def test_variance_split_with_failed_runs_uses_complete_points():
    points, reps = np.repeat(np.arange(4), 3), np.tile([0, 1, 2], 4)
    y = np.array([0.0, 1, 2, 10, 11, 12, 20, 21, 22, 30, np.nan, 32])
    t = variance_shares(points, y, reps)
    assert t["method"] == "two-way, complete points" and t["var_residual"] == 0.0
    assert t["var_parameters"] == pytest.approx(100.0)  # points 0, 1, 2: means 1, 11, 21
    y = np.arange(12.0)
    y[[0, 3]] = np.nan  # replicate 0 failed at points 0 and 1: drop it, keep every point
    assert variance_shares(points, y, reps)["method"] == "two-way, complete replicates"
    y[[5, 7]] = np.nan  # a hole in every point and every replicate: the one-way split
    assert variance_shares(points, y, reps)["method"] == "one-way"


def test_variance_shares_without_replicates_or_noise():
    # one run per point: chance and parameters cannot be told apart; n/a, never "0% chance"
    t = variance_shares(np.arange(4), np.array([1.0, 2.0, 3.0, 4.0]), np.zeros(4))
    assert np.isnan(t["var_within"]) and np.isnan(t["share_parameters"])
    assert np.isnan(t["share_replicates"]) and t["method"] == "not estimable: one run per point"
    assert t["var_between"] == pytest.approx(5 / 3)
    t = variance_shares(
        np.array([0, 0, 1, 1]), np.array([1.0, 3.0, 1.0, 3.0]), np.array([0, 1, 0, 1])
    )
    assert t["var_parameters"] == 0.0 and t["share_replicates"] == 1.0


def test_morris_screening_table_and_plane(tmp_path: Path):
    exp = tmp_path / "m.toml"
    exp.write_text(
        """
[experiment]
model = "ishigami"
seed = 4
batch_size = 50
[design]
kind = "morris"
trajectories = 40
levels = 4
[parameters]
x1 = { bounds = [-3.14159, 3.14159] }
x2 = { bounds = [-3.14159, 3.14159] }
x3 = { bounds = [-3.14159, 3.14159] }
"""
    )
    run_sweep(exp, tmp_path / "out", executor="serial")
    report = analyze_store(tmp_path / "out")
    morris = report.tables["morris"].set_index("parameter")
    assert len(morris) == 3 and (morris["mu_star"] > 0).all()
    assert morris.loc["x3", "sigma"] > morris.loc["x3", "mu"]  # x3 acts through x1 only
    assert (tmp_path / "out" / "analysis" / "morris_y.png").exists()
    assert sorted(report.tables["morris_convergence"]["trajectories"].unique())[-1] == 40


MORRIS = """
[experiment]
model = "ishigami"
seed = 4
replicates = 2
batch_size = 7
[model]
noise = 0.5
[design]
kind = "morris"
trajectories = 20
levels = 4
[parameters]
x1 = { bounds = [-3.14159, 3.14159] }
x2 = { bounds = [-3.14159, 3.14159] }
x3 = { bounds = [-3.14159, 3.14159] }
[analysis]
bootstrap = 100
"""


def _ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_morris_equals_salib_on_the_same_design(tmp_path: Path):
    """Points, replicates and trajectories grouped right: SALib on directly computed values."""
    from SALib.analyze import morris as salib_morris
    from SALib.sample import morris as salib_sample

    from concertsim.experiment.designs import design_seed

    (tmp_path / "m.toml").write_text(MORRIS)
    run_sweep(tmp_path / "m.toml", tmp_path / "out", executor="serial")
    ours = analyze_store(tmp_path / "out", figures=False).tables["morris"].set_index("parameter")
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-3.14159, 3.14159]] * 3}
    x = salib_sample.sample(problem, 20, num_levels=4, seed=design_seed(4))
    # the noise is the same at every point for a replicate: it cancels in elementary effects
    res = salib_morris.analyze(
        problem, x, _ishigami(x), num_resamples=100, conf_level=0.95, num_levels=4, seed=4
    )
    for key in ("mu", "mu_star", "sigma", "mu_star_conf"):
        np.testing.assert_allclose(ours.loc[problem["names"], key], res[key], atol=1e-9)


def test_sobol_with_replicates_equals_salib_on_point_means(tmp_path: Path):
    from SALib.analyze import sobol as salib_sobol
    from SALib.sample import sobol as salib_sample

    from concertsim.experiment.designs import design_seed

    text = (
        (EXPERIMENTS / "ishigami.toml")
        .read_text()
        .replace("n = 1024", "n = 128")
        .replace("replicates = 1", "replicates = 3")
        .replace("batch_size = 1024", "batch_size = 100")
        .replace("noise = 0.0", "noise = 1.0")
        .replace("bootstrap = 200", "bootstrap = 50")
    )
    (tmp_path / "s.toml").write_text(text)
    run_sweep(tmp_path / "s.toml", tmp_path / "out", executor="serial")
    ours = analyze_store(tmp_path / "out", figures=False).tables["sobol"].set_index("parameter")
    pi = 3.141592653589793
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-pi, pi]] * 3}
    x = salib_sample.sample(problem, 128, calc_second_order=True, scramble=True,
                            seed=design_seed(20261126))  # fmt: skip
    res = salib_sobol.analyze(problem, _ishigami(x), calc_second_order=True, num_resamples=50,
                              conf_level=0.95, seed=20261126 % 2**32)  # fmt: skip
    for key in ("S1", "ST", "S1_conf", "ST_conf"):
        np.testing.assert_allclose(ours.loc[problem["names"], key], res[key], atol=1e-6)


def test_mixture_stability_table_and_simplex_map(tmp_path: Path):
    exp = tmp_path / "mix.toml"
    exp.write_text(
        """
[experiment]
model = "ishigami"
seed = 2
replicates = 4
outcomes = ["y"]
[model]
noise = 0.3
[design]
kind = "mixture"
components = ["x1", "x2"]
total = 3.0
method = "lattice"
degree = 6
[parameters]
x3 = { values = [0.0, 3.0] }
[analysis]
stable_outcome = "y"
stable_min = 2.0
"""
    )
    # shares sum to at most 1 in a mixture: this file must be refused, then fixed
    assert main(["sweep", str(exp), "--out", str(tmp_path / "bad")]) == 2
    exp.write_text(exp.read_text().replace("total = 3.0", "total = 1.0"))
    run_sweep(exp, tmp_path / "out", executor="serial")
    report = analyze_store(tmp_path / "out")
    mix = report.tables["mixture"]
    assert len(mix) == 7 * 2 and np.allclose(mix["x1"] + mix["x2"], 1.0)
    assert (mix["stable"] == (mix["y_mean"] >= 2.0)).all()
    assert (mix["stable_surely"] == (mix["y_ci_low"] >= 2.0)).all()
    assert (mix["stable_surely"] <= mix["stable"]).all() and mix["stable_surely"].any()
    assert (mix["y_ci_low"] <= mix["y_mean"]).all() and (mix["y_mean"] <= mix["y_ci_high"]).all()
    stable = report.tables["stable_mixes"]
    assert stable["y_mean"].is_monotonic_decreasing and stable["stable"].all()
    assert any("mixes are stable" in note for note in report.notes)
    for name in ("simplex_y.png", "mixture_effects_y.png"):
        assert (tmp_path / "out" / "analysis" / name).stat().st_size > 5000


def test_analysis_settings_from_the_experiment_file_and_the_command_line(tmp_path: Path, capsys):
    exp = tmp_path / "mix.toml"
    exp.write_text(
        """
[experiment]
model = "ishigami"
seed = 2
[design]
kind = "mixture"
components = ["x1", "x2"]
degree = 2
[analysis]
stable_outcome = "y"
stable_min = -100.0
"""
    )
    run_sweep(exp, tmp_path / "out", executor="serial")
    stable = analyze_store(tmp_path / "out", figures=False).tables["mixture"]["stable"]
    assert stable.all()
    exp.write_text(exp.read_text().replace("stable_min = -100.0", "stable_min = 100.0"))
    stable = analyze_store(tmp_path / "out", figures=False).tables["mixture"]["stable"]
    assert not stable.any()  # the file's [analysis], not the manifest's
    assert main(["analyze", str(tmp_path / "out"), "--no-figures", "--stable-min", "-100"]) == 0
    assert pd.read_csv(tmp_path / "out" / "analysis" / "mixture.csv")["stable"].all()
    other = tmp_path / "other.toml"
    for old, new in [("degree = 2", "degree = 3"), ("seed = 2", "seed = 3")]:
        other.write_text(exp.read_text().replace(old, new))
        assert main(["analyze", str(tmp_path / "out"), "--experiment", str(other)]) == 2
        assert "expected the experiment file of these results" in capsys.readouterr().err
    exp.unlink()  # the file is gone: the manifest's settings
    stable = analyze_store(tmp_path / "out", figures=False).tables["mixture"]["stable"]
    assert stable.all()


def test_concertation_role_mix_through_the_concertsim_command(tmp_path: Path, capsys):
    """A tiny version of experiments/role_mix.toml, end to end through `concertsim`."""
    from concertsim.cli import main as concertsim

    exp = tmp_path / "mix.toml"
    exp.write_text(
        (EXPERIMENTS / "role_mix.toml")
        .read_text()
        .replace("months = 120", "months = 12")
        .replace("replicates = 20", "replicates = 2")
        .replace("degree = 4", "degree = 1")
    )
    out = tmp_path / "out"
    assert concertsim(["sweep", str(exp), "--out", str(out), "--workers", "0"]) == 0
    assert concertsim(["analyze", str(out), "--no-figures"]) == 0
    printed = capsys.readouterr().out
    assert "mixes are stable (survived mean >= 0.9) at turnover.local_annual" in printed
    mix = pd.read_csv(out / "analysis" / "mixture.csv")
    assert len(mix) == 5 * 2  # the 5 pure mixes x 2 turnover levels
    assert np.allclose(
        mix.filter(like="role_mix.").drop(columns="role_mix.operations").sum(axis=1), 0.65
    )
    assert (mix["role_mix.operations"] == 0.35).all()
    assert (mix["turnover.local_annual"] == mix["turnover.regional_annual"]).all()  # linked
    assert mix["survived_mean"].between(0, 1).all()


def test_grid_main_effects(tmp_path: Path):
    exp = tmp_path / "g.toml"
    exp.write_text(
        """
[experiment]
model = "ishigami"
seed = 1
[design]
kind = "grid"
levels = 5
[parameters]
x1 = { bounds = [-1.5707963267948966, 1.5707963267948966] }
x2 = { values = [0.0, 1.5707963267948966] }
"""
    )
    run_sweep(exp, tmp_path / "out", executor="serial")
    effects = (
        analyze_store(tmp_path / "out").tables["main_effects"].set_index(["parameter", "level"])
    )
    assert len(effects) == 5 + 2
    assert effects.loc[("x2", 0.0), "mean"] == pytest.approx(0.0, abs=1e-12)  # sin x1 averages out
    assert effects.loc[("x2", 1.5707963267948966), "mean"] == pytest.approx(7.0)
    assert effects.loc[("x1", 1.5707963267948966), "mean"] == pytest.approx(1.0 + 3.5)
    assert (tmp_path / "out" / "analysis" / "main_effects_y.png").exists()


def test_indices_need_every_point_and_say_what_was_filled(tmp_path: Path):
    text = (EXPERIMENTS / "ishigami.toml").read_text().replace("n = 1024", "n = 64")
    failing = tmp_path / "fail.toml"
    failing.write_text(text.replace("noise = 0.0", "noise = 0.0\nfail_above = 3.0"))
    run_sweep(failing, tmp_path / "fail", executor="serial")
    report = analyze_store(tmp_path / "fail", figures=False)
    assert "sobol" in report.tables
    assert any("were given the mean of the others" in n for n in report.notes)
    # an unfinished sweep: drop a part, as if the sweep had been killed
    unfinished = tmp_path / "unfinished.toml"
    unfinished.write_text(text.replace("batch_size = 1024", "batch_size = 64"))
    run_sweep(unfinished, tmp_path / "part", executor="serial")
    sorted((tmp_path / "part" / "runs").glob("part-*.parquet"))[-1].unlink()
    report = analyze_store(tmp_path / "part", figures=False)
    assert "sobol" not in report.tables
    assert any("design points have not run yet" in n for n in report.notes)
    assert any("sweep unfinished" in n for n in report.notes)


# --------------------------------------------------------------------------- cannot mislead


def _small_sobol(tmp_path: Path, n: int, seed: int, replicates: int = 1) -> Path:
    text = (
        (EXPERIMENTS / "ishigami.toml")
        .read_text()
        .replace("n = 1024", f"n = {n}")
        .replace("seed = 20261126", f"seed = {seed}")
        .replace("replicates = 1", f"replicates = {replicates}")
    )
    (tmp_path / "s.toml").write_text(text)
    run_sweep(tmp_path / "s.toml", tmp_path / "out", executor="serial")
    return tmp_path / "out"


def test_console_shows_intervals_and_warns_of_indices_outside_0_1(tmp_path: Path, capsys):
    out = _small_sobol(tmp_path, n=16, seed=3)  # too small: S1 of x3 is about -0.4 +- 0.35
    assert main(["analyze", str(out), "--no-figures"]) == 0
    captured = capsys.readouterr()
    printed = captured.out
    assert "Sobol indices, [95% bootstrap interval]" in printed
    row = next(line for line in printed.splitlines() if " x3 " in line)
    assert row.count("[") == 2  # S1 and ST, each with its interval
    warnings = captured.err.splitlines()
    assert all(w.startswith("concertsim: warning: ") for w in warnings)
    sobol = [w for w in warnings if "sobol: S1 of y outside [0, 1] beyond its interval" in w]
    assert len(sobol) == 1 and "x3 = -0." in sobol[0] and "(N = 16)" in sobol[0]
    # one replicate per point: the stochastic share is not 0, it is unknown
    assert any("one replicate per point" in w and "cannot be estimated" in w for w in warnings)
    variance = pd.read_csv(out / "analysis" / "variance.csv").iloc[0]
    assert np.isnan(variance["share_replicates"]) and np.isnan(variance["share_parameters"])
    assert "n/a" in printed


def test_two_replicates_give_a_rough_split_and_say_so(tmp_path: Path, capsys):
    exp = ishigami_lhs(tmp_path / "e.toml", n=30, replicates=2, batch_size=60)
    run_sweep(exp, tmp_path / "out", executor="serial")
    report = analyze_store(tmp_path / "out", figures=False)
    assert any("about 2 replicates per point" in w and "rough" in w for w in report.warnings)
    row = report.tables["variance"].iloc[0]
    assert row["mean_replicates"] == 2.0 and np.isfinite(row["share_replicates"])
    exp = ishigami_lhs(tmp_path / "e4.toml", n=30, replicates=4, batch_size=60)
    run_sweep(exp, tmp_path / "out4", executor="serial")
    assert not analyze_store(tmp_path / "out4", figures=False).warnings


def test_morris_console_shows_mu_star_with_its_interval(tmp_path: Path, capsys):
    (tmp_path / "m.toml").write_text(MORRIS.replace("trajectories = 20", "trajectories = 6"))
    run_sweep(tmp_path / "m.toml", tmp_path / "out", executor="serial")
    assert main(["analyze", str(tmp_path / "out"), "--no-figures"]) == 0
    captured = capsys.readouterr()
    assert "Morris screening, mu* [95% bootstrap interval]" in captured.out
    table = pd.read_csv(tmp_path / "out" / "analysis" / "morris.csv")
    first = table.iloc[0]
    low, high = first["mu_star"] - first["mu_star_conf"], first["mu_star"] + first["mu_star_conf"]
    assert f"{first['mu_star']:.3f} [{low:.3f}, {high:.3f}]" in captured.out
    assert "concertsim: warning: morris: 6 trajectories" in captured.err


def test_a_new_analysis_leaves_no_stale_files(tmp_path: Path):
    exp = ishigami_lhs(tmp_path / "e.toml", n=20, replicates=2, batch_size=40)
    run_sweep(exp, tmp_path / "out", executor="serial")
    analysis = tmp_path / "out" / "analysis"
    first = analyze_store(tmp_path / "out")
    assert (analysis / "variance.png").exists()
    (analysis / "sobol_old_outcome.png").write_bytes(b"mine")  # named like ours, not in the index
    (analysis / "my_notes.txt").write_text("mine")  # not the analysis's: kept
    second = analyze_store(tmp_path / "out", figures=False)
    names = {p.name for p in analysis.iterdir() if not p.name.startswith(".")}
    assert names == {p.name for p in second.files} | {"my_notes.txt", "sobol_old_outcome.png"}
    assert {p.name for p in second.removed} == {"variance.png"}  # only what the index listed
    assert (analysis / "sobol_old_outcome.png").read_bytes() == b"mine"
    assert len(first.files) == len(second.files) + 1


def test_analysis_leaves_the_matplotlib_backend_and_pyplot_alone(tmp_path: Path, monkeypatch):
    import matplotlib

    from concertsim.plots import plot_series

    def refuse(*args, **kwargs):
        raise AssertionError("matplotlib.use called")

    before = matplotlib.get_backend()
    monkeypatch.setattr(matplotlib, "use", refuse)
    (tmp_path / "m.toml").write_text(MORRIS)
    run_sweep(tmp_path / "m.toml", tmp_path / "out", executor="serial")
    report = analyze_store(tmp_path / "out")
    assert (tmp_path / "out" / "analysis" / "morris_y.png").stat().st_size > 5000
    series = pd.DataFrame(
        {"run": [0, 0], "month": [0, 1], "level": ["local"] * 2, "variable": ["ties"] * 2,
         "value": [0.1, 0.2]}
    )  # fmt: skip
    plot_series(series, tmp_path / "f.png", title="t")
    assert matplotlib.get_backend() == before and report.files


@pytest.mark.slow
def test_pyplot_is_never_imported(tmp_path: Path):
    import subprocess
    import sys

    (tmp_path / "m.toml").write_text(MORRIS)
    run_sweep(tmp_path / "m.toml", tmp_path / "out", executor="serial")
    code = (
        "import sys, matplotlib\n"
        "matplotlib.use('svg')\n"
        "import concertsim.plots\n"
        "from concertsim.experiment.analysis import analyze\n"
        f"analyze({str(tmp_path / 'out')!r})\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "assert matplotlib.get_backend() == 'svg', matplotlib.get_backend()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_stable_by_mean_only_is_a_warning(tmp_path: Path):
    exp = tmp_path / "mix.toml"
    exp.write_text(
        """
[experiment]
model = "ishigami"
seed = 2
replicates = 3
[model]
noise = 3.0
[design]
kind = "mixture"
components = ["x1", "x2"]
degree = 4
[analysis]
stable_outcome = "y"
stable_min = 1.0
"""
    )
    run_sweep(exp, tmp_path / "out", executor="serial")
    report = analyze_store(tmp_path / "out", figures=False)
    mix = report.tables["mixture"]
    unsure = int((mix["stable"] & ~mix["stable_surely"]).sum())
    assert unsure > 0
    assert any(w.startswith(f"mixture: {unsure} of ") for w in report.warnings)
