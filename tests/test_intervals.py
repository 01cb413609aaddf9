"""concertsim.intervals against hand-computed values and first principles (no scipy reference)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from concertsim.intervals import clip_to, mean_ci, proportion_ci, t_quantile, wilson, z_quantile

# two-sided 95% Student t quantiles from any printed table
T_TABLE = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 9: 2.262, 29: 2.045, 1000: 1.962}


@pytest.mark.parametrize("df", sorted(T_TABLE))
def test_t_quantiles_match_the_printed_table(df: int):
    assert t_quantile(0.95, df) == pytest.approx(T_TABLE[df], abs=6e-4)


def test_z_quantiles():
    assert z_quantile(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_quantile(0.90) == pytest.approx(1.644854, abs=1e-6)
    assert z_quantile(0.99) == pytest.approx(2.575829, abs=1e-6)


def test_mean_ci_by_hand():
    # 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sd sqrt(32 / 7), t(0.975, 7) = 2.364624
    values = [2.0, 4, 4, 4, 5, 5, 7, 9]
    mean, low, high, n = mean_ci(values)
    half = 2.364624 * math.sqrt(32 / 7) / math.sqrt(8)
    assert (mean, n) == (5.0, 8)
    assert low == pytest.approx(5 - half, abs=1e-5) and high == pytest.approx(5 + half, abs=1e-5)


def test_mean_ci_drops_nan_and_infinite_and_takes_any_sequence():
    expected = mean_ci([1.0, 2.0, 3.0])
    assert mean_ci([1.0, float("nan"), 2.0, float("inf"), 3.0]) == expected
    assert mean_ci(np.array([1.0, 2.0, 3.0])) == expected
    assert mean_ci(pd.Series([1.0, 2.0, 3.0, None])) == expected
    assert mean_ci(v for v in (1.0, 2.0, 3.0)) == expected


def test_mean_ci_with_fewer_than_two_values_has_no_bounds():
    assert all(math.isnan(v) for v in mean_ci([])[:3]) and mean_ci([])[3] == 0
    mean, low, high, n = mean_ci([4.5, float("nan")])
    assert (mean, n) == (4.5, 1) and math.isnan(low) and math.isnan(high)


def test_mean_ci_level_and_width():
    values = np.random.default_rng(1).normal(size=50)
    w90, w95, w99 = (mean_ci(values, c)[2] - mean_ci(values, c)[1] for c in (0.9, 0.95, 0.99))
    assert 0 < w90 < w95 < w99
    with pytest.raises(ValueError, match="conf must be in"):
        mean_ci(values, 1.0)


def test_the_run_summary_uses_these_intervals():
    """``concertsim run`` prints Wilson for yes/no outcomes (inside [0, 1]), t otherwise."""
    import pandas as pd

    from concertsim.cli import summary_table

    survived = [1.0] * 14 + [0.0]
    stability = np.linspace(0.2, 0.9, 15)
    text = summary_table(pd.DataFrame({"run": range(15), "survived": survived, "x": stability}))
    rows = {line.split()[0]: line for line in text.splitlines()[1:-1]}
    p, lo, hi = wilson(14, 15)
    assert f"[{lo:.3f}, {hi:.3f}]" in rows["survived"]
    assert hi <= 1.0
    m, lo, hi, _ = mean_ci(stability)
    assert f"[{lo:.3f}, {hi:.3f}]" in rows["x"]


def test_mean_ci_covers_the_mean_about_95_percent_of_the_time():
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(2000):
        _, low, high, _ = mean_ci(rng.normal(10.0, 3.0, size=5))
        hits += low <= 10.0 <= high
    assert hits / 2000 == pytest.approx(0.95, abs=0.015)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # by hand from (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), z = 1.959964
        (0, 10, 0.0, 0.277533),
        (10, 10, 0.722467, 1.0),
        (5, 10, 0.236593, 0.763407),
        (1, 3, 0.061492, 0.792340),
        (81, 263, 0.255289, 0.366210),  # Newcombe (1998), Table I: 0.2553 to 0.3662
    ],
)
def test_wilson_by_hand(successes: int, n: int, low: float, high: float):
    p, lo, hi = wilson(successes, n)
    assert p == successes / n
    assert lo == pytest.approx(low, abs=2e-6) and hi == pytest.approx(high, abs=2e-6)


def test_wilson_stays_in_0_1_and_contains_the_proportion():
    for n in range(1, 60):
        for s in range(n + 1):
            p, lo, hi = wilson(s, n, 0.99)
            assert 0.0 <= lo <= p <= hi <= 1.0


def test_wilson_edge_cases():
    assert all(math.isnan(v) for v in wilson(0, 0))
    for bad in ((3, 2), (-1, 2)):
        with pytest.raises(ValueError):
            wilson(*bad)


def test_proportion_ci_uses_wilson_for_0_1_outcomes_only():
    p, lo, hi, n = proportion_ci([1, 0, 1, 1, float("nan")])
    assert (p, lo, hi) == wilson(3, 4) and n == 4
    assert proportion_ci([0.2, 0.4, 0.9]) == mean_ci([0.2, 0.4, 0.9])
    assert proportion_ci([])[3] == 0


def test_clip_to():
    assert clip_to((-0.2, 0.5, 1.7), (0.0, 1.0)) == (0.0, 0.5, 1.0)
    assert clip_to(2, (0.0, 1.0)) == 1.0
    assert math.isnan(clip_to(float("nan"), (0.0, 1.0)))


def test_the_run_summary_keeps_every_interval_within_the_outcomes_range():
    """A t-interval of a legitimacy near 1 or of a few collapse months would leave the range
    (``legitimacy_end_regional`` up to 1.105 and ``collapse_month`` up to 168 on a 120-month
    horizon in 0.1.0); the summary cuts them at the outcome's range."""
    import pandas as pd

    from concertsim.cli import summary_table
    from concertsim.intervals import bounded_ci

    legitimacy = [0.0] + [0.95] * 14
    collapse = [10.0, 115.0] + [np.nan] * 13
    outcomes = pd.DataFrame(
        {"run": range(15), "legitimacy_end_regional": legitimacy, "collapse_month": collapse}
    )
    assert mean_ci(legitimacy)[2] > 1.0 or mean_ci(collapse)[2] > 120.0  # would leave the range
    text = summary_table(outcomes, horizon=120)
    rows = {line.split()[0]: line for line in text.splitlines()[1:-1]}
    _, lo, hi, _ = bounded_ci(legitimacy, (0.0, 1.0))
    assert hi <= 1.0 and f"[{lo:.3f}, {hi:.3f}]" in rows["legitimacy_end_regional"]
    _, lo, hi, _ = bounded_ci(collapse, (0.0, 120.0))
    assert (lo, hi) == (0.0, 120.0) and "[0.000, 120.0]" in rows["collapse_month"]
