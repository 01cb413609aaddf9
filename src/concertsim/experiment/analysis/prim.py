"""PRIM, the patient rule induction method (Friedman & Fisher 1999), for scenario discovery.

Given the inputs ``x`` of many runs (one column per parameter) and a yes/no indicator of the
runs "of interest" (the structure folded, say), PRIM looks for a box -- a range for a few
parameters -- that holds many of the cases of interest (**coverage**, the share of all cases
of interest inside the box) and mostly cases of interest (**density**, the share of the runs
inside the box that are cases of interest). It **peels**: at each step it removes the
``peel_alpha`` share of the runs at the lower or the upper end of one parameter, the peel that
raises the box's density most per run removed, until the box would hold less than
``mass_min`` of the runs or no peel raises the density. It then **pastes**: it widens the box
again where that raises the density. Every step is a point of the **peeling trajectory**
(coverage against density); the analyst chooses a box on it, here the one with the highest
coverage among those of density at least ``threshold``.

Each restricted parameter of a box gets a **quasi-p-value** (Bryant & Lempert 2010): the
one-sided binomial probability of a density at least the box's if the restriction were lifted
(the box's cases of interest among its runs, against the density of the box without that
limit). A large value says the restriction is not needed.

The algorithm follows EMA Workbench's ``ema_workbench.analysis.prim`` (the "lenient1"
objective, sdtoolkit's quantiles, the same tie-breaking), for numeric inputs; a test checks
the two trajectories against each other on shared data.

Example:
    >>> rng = np.random.default_rng(1)
    >>> x = pd.DataFrame(rng.uniform(size=(400, 2)), columns=["a", "b"])
    >>> y = (x["a"] > 0.7).to_numpy()
    >>> result = prim(x, y, threshold=0.8)
    >>> box = result.box()
    >>> box.restricted, box.density >= 0.8, round(float(box.limits.loc["a", "lower"]), 1)
    (['a'], True, 0.7)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["PrimBox", "PrimResult", "prim", "get_quantile", "quasi_p_values"]


def get_quantile(data: np.ndarray, quantile: float) -> float:
    """A quantile as PRIM peels at it: midway between data values, never inside a tie.

    sdtoolkit's rule (kept by EMA Workbench): for an upper quantile (above 0.5) step down
    past values equal to the one above, for a lower one step up, and take the mean of the
    two values met, so a peel never cuts through a run of equal values.

    Example:
        >>> get_quantile(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 0.05)
        1.5
        >>> get_quantile(np.array([1.0, 1.0, 1.0, 2.0]), 0.95)
        1.5
    """
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must be in (0, 1), got {quantile}")
    data = np.sort(np.asarray(data, dtype=float))
    i = (len(data) - 1) * quantile
    low, high = math.floor(i), math.ceil(i)
    if quantile > 0.5:
        while data[low] == data[high] and low > 0:
            low -= 1
    else:
        while data[low] == data[high] and high < len(data) - 1:
            high += 1
    return float((data[low] + data[high]) / 2)


@dataclass
class PrimBox:
    """One box of the peeling trajectory.

    Attributes:
        step: its step on the trajectory (0: every run).
        limits: ``lower`` and ``upper`` of every parameter (rows), as in the data at step 0.
        restricted: the parameters whose range the box narrows.
        coverage: cases of interest in the box / all cases of interest.
        density: cases of interest in the box / runs in the box.
        mass: runs in the box / all runs.
        n: runs in the box.
        k: cases of interest in the box.
        quasi_p: quasi-p-value of each restricted limit (``lower``, ``upper``; NaN where the
            box does not restrict that side).
    """

    step: int
    limits: pd.DataFrame
    restricted: list[str]
    coverage: float
    density: float
    mass: float
    n: int
    k: int
    quasi_p: pd.DataFrame

    def table(self) -> pd.DataFrame:
        """The restricted parameters: their range in the box, the full range, quasi-p-values."""
        rows = []
        for name in self.restricted:
            rows.append(
                {
                    "parameter": name,
                    "lower": self.limits.loc[name, "lower"],
                    "upper": self.limits.loc[name, "upper"],
                    "qp_lower": self.quasi_p.loc[name, "lower"],
                    "qp_upper": self.quasi_p.loc[name, "upper"],
                }
            )
        return pd.DataFrame(rows, columns=["parameter", "lower", "upper", "qp_lower", "qp_upper"])


@dataclass
class PrimResult:
    """The peeling trajectory of one PRIM search and its boxes.

    Attributes:
        trajectory: one row per step: ``step``, ``coverage``, ``density``, ``mass``,
            ``res_dim`` (parameters restricted), ``n``, ``k``, ``phase`` (start, peel, paste).
        limits: the box limits of each step (``lower``/``upper`` by parameter).
        initial: the limits of the data (step 0).
        x: the inputs; ``y``: the cases of interest (bool).
        threshold: the least density of a box to choose.
    """

    trajectory: pd.DataFrame
    limits: list[pd.DataFrame]
    initial: pd.DataFrame
    x: pd.DataFrame
    y: np.ndarray
    threshold: float

    def chosen_step(self) -> int:
        """The step with the highest coverage among those of density >= ``threshold``.

        When no step reaches the threshold, the densest (the last of equal density).
        """
        t = self.trajectory
        ok = t[t["density"] >= self.threshold]
        if len(ok):
            best = ok["coverage"].max()
            return int(ok.loc[ok["coverage"] == best, "step"].iloc[-1])
        best = t["density"].max()
        return int(t.loc[t["density"] == best, "step"].iloc[-1])

    def box(self, step: int | None = None) -> PrimBox:
        """The box at ``step`` (default: :meth:`chosen_step`), with its quasi-p-values."""
        step = self.chosen_step() if step is None else int(step)
        row = self.trajectory.iloc[step]
        limits = self.limits[step]
        restricted = _restricted(limits, self.initial)
        qp = quasi_p_values(self.x, self.y, limits, self.initial, int(row["k"]), int(row["n"]))
        return PrimBox(
            step=step,
            limits=limits,
            restricted=restricted,
            coverage=float(row["coverage"]),
            density=float(row["density"]),
            mass=float(row["mass"]),
            n=int(row["n"]),
            k=int(row["k"]),
            quasi_p=qp,
        )


def _restricted(limits: pd.DataFrame, initial: pd.DataFrame) -> list[str]:
    same = (limits.to_numpy() == initial.to_numpy()).all(axis=1)
    return [name for name, s in zip(limits.index, same, strict=True) if not s]


def _in_box(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    return ((x >= lower) & (x <= upper)).all(axis=1)


def _objective(y_old: np.ndarray, y_new: np.ndarray) -> float:
    """EMA Workbench's "lenient1": the gain in density per run added or removed."""
    mean_old = y_old.mean()
    mean_new = y_new.mean() if y_new.size else 0.0
    if mean_old == mean_new or y_old.size == y_new.size:
        return 0.0
    return float((mean_new - mean_old) / abs(y_old.size - y_new.size))


def quasi_p_values(
    x: pd.DataFrame,
    y: np.ndarray,
    limits: pd.DataFrame,
    initial: pd.DataFrame,
    k: int,
    n: int,
) -> pd.DataFrame:
    """The quasi-p-value of each restricted limit of a box (Bryant & Lempert 2010).

    For a restricted side of a parameter, the box without that limit (the other restricted
    limits kept) holds ``T`` runs, ``H`` of them of interest; the quasi-p-value is the
    one-sided binomial probability of ``k`` or more cases of interest among the box's ``n``
    runs at density ``H / T``.

    Returns:
        ``lower`` and ``upper`` by parameter; NaN for an unrestricted side.

    Example:
        >>> x = pd.DataFrame({"a": np.linspace(0, 1, 101)})
        >>> y = x["a"].to_numpy() > 0.5
        >>> init = pd.DataFrame({"lower": [0.0], "upper": [1.0]}, index=["a"])
        >>> box = pd.DataFrame({"lower": [0.505], "upper": [1.0]}, index=["a"])
        >>> float(quasi_p_values(x, y, box, init, 50, 50).loc["a", "lower"]) < 1e-10
        True
    """
    from scipy.stats import binomtest

    restricted = _restricted(limits, initial)
    out = pd.DataFrame(np.nan, index=limits.index, columns=["lower", "upper"])
    if not restricted:
        return out
    xs = x[restricted].to_numpy(dtype=float)
    lo = limits.loc[restricted, "lower"].to_numpy(dtype=float)
    hi = limits.loc[restricted, "upper"].to_numpy(dtype=float)
    for j, name in enumerate(restricted):
        for side, bound in (("lower", lo), ("upper", hi)):
            if limits.loc[name, side] == initial.loc[name, side]:
                continue
            freed = bound.copy()
            freed[j] = initial.loc[name, side]
            inside = _in_box(xs, freed if side == "lower" else lo, freed if side == "upper" else hi)
            t, h = int(inside.sum()), int(y[inside].sum())
            out.loc[name, side] = binomtest(k, n, h / t, alternative="greater").pvalue
    return out


def prim(
    x: pd.DataFrame,
    y: Sequence[bool] | np.ndarray,
    *,
    threshold: float = 0.8,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> PrimResult:
    """Peel and paste one box; return the trajectory (see the module docstring).

    Args:
        x: the inputs, one numeric column per parameter, one row per run.
        y: whether each run is a case of interest.
        threshold: the least density of the chosen box (:meth:`PrimResult.chosen_step`).
        peel_alpha: the share of the box's runs removed by a peel.
        paste_alpha: the share of the neighbouring runs added by a paste.
        mass_min: the least share of all runs a box must hold.

    Raises:
        ValueError: ``x`` and ``y`` differ in length, ``x`` is empty or not numeric, or no
            run is a case of interest.
    """
    x = x.reset_index(drop=True)
    y = np.asarray(y, dtype=bool)
    if len(x) != len(y) or not len(x) or not x.shape[1]:
        raise ValueError(f"expected as many runs in x as in y, got {x.shape} and {y.shape}")
    if not y.any():
        raise ValueError("no run is a case of interest: nothing to find")
    values = x.to_numpy(dtype=float)
    names = list(x.columns)
    initial = pd.DataFrame({"lower": values.min(axis=0), "upper": values.max(axis=0)}, index=names)
    search = _Search(values, y, initial, peel_alpha, paste_alpha, mass_min)
    search.run()
    trajectory = pd.DataFrame(search.rows)
    limits = [pd.DataFrame({"lower": lo, "upper": hi}, index=names) for lo, hi in search.limits]
    return PrimResult(trajectory, limits, initial, x, y, float(threshold))


class _Search:
    """The state of one peeling and pasting search (indices of the runs in the box)."""

    def __init__(self, x, y, initial, peel_alpha, paste_alpha, mass_min) -> None:
        self.x, self.y = x, y.astype(float)
        self.init_lo = initial["lower"].to_numpy(dtype=float)
        self.init_hi = initial["upper"].to_numpy(dtype=float)
        self.peel_alpha, self.paste_alpha, self.mass_min = peel_alpha, paste_alpha, mass_min
        self.n, self.total = len(y), int(y.sum())
        self.rows: list[dict] = []
        self.limits: list[tuple[np.ndarray, np.ndarray]] = []

    def record(self, idx: np.ndarray, lo: np.ndarray, hi: np.ndarray, phase: str) -> None:
        k = int(self.y[idx].sum())
        res = int(((lo != self.init_lo) | (hi != self.init_hi)).sum())
        self.limits.append((lo.copy(), hi.copy()))
        self.rows.append(
            {
                "step": len(self.rows),
                "coverage": k / self.total,
                "density": k / len(idx),
                "mass": len(idx) / self.n,
                "res_dim": res,
                "n": len(idx),
                "k": k,
                "phase": phase,
            }
        )

    def run(self) -> None:
        idx = np.arange(self.n)
        lo, hi = self.init_lo.copy(), self.init_hi.copy()
        self.record(idx, lo, hi, "start")
        while (peeled := self.peel(idx, lo, hi)) is not None:
            idx, lo, hi = peeled
            self.record(idx, lo, hi, "peel")
        while (pasted := self.paste(idx, lo, hi)) is not None:
            idx, lo, hi = pasted
            self.record(idx, lo, hi, "paste")

    def _best(self, idx, candidates):
        """The candidate of highest objective, then most unrestricted parameters (stable)."""
        scored = []
        for order, (new_idx, lo, hi) in enumerate(candidates):
            obj = _objective(self.y[idx], self.y[new_idx])
            free = int(((lo == self.init_lo) & (hi == self.init_hi)).sum())
            scored.append((obj, free, -order, new_idx, lo, hi))
        scored.sort(key=lambda s: (s[0], s[1], s[2]), reverse=True)
        return scored[0]

    def peel(self, idx, lo, hi):
        xb = self.x[idx]
        candidates = []
        for j in range(self.x.shape[1]):
            xj = xb[:, j]
            cut = get_quantile(xj, 1 - self.peel_alpha)  # the upper end first, as EMA
            new_hi = hi.copy()
            new_hi[j] = cut
            candidates.append((idx[xj <= cut], lo, new_hi))
            cut = get_quantile(xj, self.peel_alpha)
            new_lo = lo.copy()
            new_lo[j] = cut
            candidates.append((idx[xj >= cut], new_lo, hi))
        obj, _, _, new_idx, new_lo, new_hi = self._best(idx, candidates)
        mass_new, mass_old = len(new_idx) / self.n, len(idx) / self.n
        if mass_new >= self.mass_min and mass_new < mass_old and obj > 0:
            return new_idx, new_lo, new_hi
        return None

    def paste(self, idx, lo, hi):
        restricted = np.flatnonzero((lo != self.init_lo) | (hi != self.init_hi))
        if not restricted.size:
            return None
        xr = self.x[:, restricted]
        candidates = []
        for j in restricted:
            r = int(np.flatnonzero(restricted == j)[0])
            for side in ("lower", "upper"):
                zone_lo, zone_hi = lo[restricted].copy(), hi[restricted].copy()
                if side == "lower":
                    zone_lo[r], zone_hi[r] = self.init_lo[j], lo[j]
                else:
                    zone_lo[r], zone_hi[r] = hi[j], self.init_hi[j]
                data = self.x[_in_box(xr, zone_lo, zone_hi), j]
                new_lo, new_hi = lo.copy(), hi.copy()
                if side == "lower":
                    at = 1 - self.paste_alpha
                    new_lo[j] = get_quantile(data, at) if data.size else self.init_lo[j]
                else:
                    at = self.paste_alpha
                    new_hi[j] = get_quantile(data, at) if data.size else self.init_hi[j]
                inside = _in_box(xr, new_lo[restricted], new_hi[restricted])
                candidates.append((np.flatnonzero(inside), new_lo, new_hi))
        obj, _, _, new_idx, new_lo, new_hi = self._best(idx, candidates)
        mass_new, mass_old = len(new_idx) / self.n, len(idx) / self.n
        gain = self.y[new_idx].mean() > self.y[idx].mean()
        if mass_new >= self.mass_min and mass_new > mass_old and obj > 0 and gain:
            return new_idx, new_lo, new_hi
        return None
