"""Reproduce March (1991) Figures 1, 2, 4, 5 and the Fang et al. (2010) inverted U.

Writes CSV tables, PNG figures and ``summary.md`` into ``results/`` next to this file.

Usage::

    python experiments/march1991/reproduce.py            # full numbers (2,000 runs/cell)
    python experiments/march1991/reproduce.py --runs 200 # quicker, noisier
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from concertsim.knowledge import (  # noqa: E402
    code_knowledge,
    fang_detail,
    march_detail,
    new_state,
    step,
)
from concertsim.streams import Stream  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
BASE_SEED = 19910201

P1S = (0.1, 0.3, 0.5, 0.7, 0.9)
P2S = (0.1, 0.5, 0.9)
PUBLISHED_FIG1 = {  # anchors.md §1 (Workiewicz's recreation, 10,000 runs)
    (0.1, 0.1): 0.863,
    (0.1, 0.5): 0.954,
    (0.1, 0.9): 0.972,
    (0.3, 0.1): 0.805,
    (0.3, 0.5): 0.869,
    (0.3, 0.9): 0.908,
    (0.5, 0.1): 0.799,
    (0.5, 0.5): 0.811,
    (0.5, 0.9): 0.840,
    (0.7, 0.1): 0.806,
    (0.7, 0.5): 0.768,
    (0.7, 0.9): 0.780,
    (0.9, 0.1): 0.813,
    (0.9, 0.5): 0.742,
    (0.9, 0.9): 0.728,
}
FAST_SHARES = tuple(np.round(np.linspace(0.0, 1.0, 11), 2))
TURNOVER = tuple(np.round(np.r_[np.arange(0.0, 0.301, 0.025), 0.4, 0.5, 0.6, 0.8, 1.0], 3))
FANG_CAP = 20_000
FANG_LINKS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.4, 0.7, 1.0)


def seed_for(figure: int, *index: int) -> np.random.SeedSequence:
    """The root seed of one cell of one figure (runs are spawned from it)."""
    return np.random.SeedSequence((BASE_SEED, figure, *index))


def mean_se(x: np.ndarray) -> tuple[float, float]:
    """Mean and standard error of the mean."""
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size))


# --------------------------------------------------------------------------- Figure 1


def figure1(runs: int) -> pd.DataFrame:
    """Equilibrium knowledge over p1 x p2, with the published values beside."""
    rows = []
    for i, p1 in enumerate(P1S):
        for j, p2 in enumerate(P2S):
            res = march_detail(p1, p2, runs=runs, seed=seed_for(1, i, j))
            mean, se = mean_se(res.knowledge)
            pub = PUBLISHED_FIG1[(p1, p2)]
            rows.append(
                dict(
                    p1=p1,
                    p2=p2,
                    runs=runs,
                    knowledge=round(mean, 4),
                    se=round(se, 4),
                    published=pub,
                    diff=round(mean - pub, 4),
                    within_0_01=abs(mean - pub) <= 0.01,
                    mean_periods=round(float(res.periods.mean()), 1),
                    max_periods=int(res.periods.max()),
                    capped=int(res.capped.sum()),
                )
            )
    return pd.DataFrame(rows)


def plot_figure1(df: pd.DataFrame, path: Path) -> None:
    """Ours (lines, ±2 SE bars) against the published values (open markers)."""
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for p2, colour in zip(P2S, ("tab:blue", "tab:orange", "tab:green"), strict=True):
        d = df[df.p2 == p2]
        ax.errorbar(
            d.p1,
            d.knowledge,
            yerr=2 * d.se,
            color=colour,
            marker="o",
            ms=4,
            capsize=3,
            label=f"concertsim, p2 = {p2}",
        )
        ax.plot(
            d.p1,
            d.published,
            ls="none",
            marker="s",
            ms=9,
            mfc="none",
            color=colour,
            label=f"published, p2 = {p2}",
        )
    ax.set_xlabel("socialisation rate p1")
    ax.set_ylabel("equilibrium knowledge of the code")
    ax.set_title(f"March (1991) Figure 1 (m=30, n=50, {int(df.runs.iloc[0])} runs/point)")
    ax.set_xticks(P1S)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


# --------------------------------------------------------------------------- Figure 2


def figure2(runs: int) -> pd.DataFrame:
    """Mixed slow (0.1) / fast (0.9) populations vs uniform ones with the same mean p1."""
    rows = []
    for i, share in enumerate(FAST_SHARES):
        mixed = march_detail(
            0.1, 0.5, fast_share=share, fast_p1=0.9, runs=runs, seed=seed_for(2, i, 0)
        )
        fast = int(round(share * 50))
        mean_p1 = 0.1 + 0.8 * fast / 50
        uniform = march_detail(mean_p1, 0.5, runs=runs, seed=seed_for(2, i, 1))
        m_mean, m_se = mean_se(mixed.knowledge)
        u_mean, u_se = mean_se(uniform.knowledge)
        rows.append(
            dict(
                fast_share=share,
                fast_people=fast,
                mean_p1=round(mean_p1, 3),
                runs=runs,
                mixed=round(m_mean, 4),
                mixed_se=round(m_se, 4),
                uniform=round(u_mean, 4),
                uniform_se=round(u_se, 4),
                gain=round(m_mean - u_mean, 4),
                capped=int(mixed.capped.sum() + uniform.capped.sum()),
            )
        )
    return pd.DataFrame(rows)


def plot_figure2(df: pd.DataFrame, path: Path) -> None:
    """Equilibrium knowledge against the share of fast learners."""
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    ax.errorbar(
        df.fast_share,
        df.mixed,
        yerr=2 * df.mixed_se,
        marker="o",
        capsize=3,
        label="mixed: slow p1=0.1 and fast p1=0.9",
    )
    ax.errorbar(
        df.fast_share,
        df.uniform,
        yerr=2 * df.uniform_se,
        marker="s",
        capsize=3,
        ls="--",
        label="uniform population with the same mean p1",
    )
    ax.set_xlabel("share of fast learners (p1 = 0.9) among n = 50")
    ax.set_ylabel("equilibrium knowledge of the code")
    ax.set_title(f"March (1991) Figure 2: heterogeneity (p2 = 0.5, {int(df.runs.iloc[0])} runs)")
    top = ax.secondary_xaxis("top", functions=(lambda s: 0.1 + 0.8 * s, lambda p: (p - 0.1) / 0.8))
    top.set_xlabel("mean p1")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


# --------------------------------------------------------------------------- Figure 4


def figure4(runs: int) -> pd.DataFrame:
    """Knowledge of the code at period 20 against turnover p3, slow and fast p1."""
    rows = []
    for i, p1 in enumerate((0.1, 0.9)):
        for j, p3 in enumerate(TURNOVER):
            res = march_detail(p1, 0.5, p3, 0.0, periods=20, runs=runs, seed=seed_for(4, i, j))
            mean, se = mean_se(res.knowledge)
            rows.append(dict(p1=p1, p3=p3, runs=runs, knowledge=round(mean, 4), se=round(se, 4)))
    return pd.DataFrame(rows)


def plot_figure4(df: pd.DataFrame, path: Path) -> None:
    """Knowledge at period 20 against p3."""
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for p1, marker in ((0.1, "o"), (0.9, "s")):
        d = df[df.p1 == p1]
        label = f"{'slow' if p1 < 0.5 else 'fast'} socialisation, p1 = {p1}"
        ax.errorbar(d.p3, d.knowledge, yerr=2 * d.se, marker=marker, capsize=3, label=label)
    ax.set_xlabel("turnover p3 (per person and period)")
    ax.set_ylabel("knowledge of the code at period 20")
    ax.set_title(f"March (1991) Figure 4: turnover (p2 = 0.5, {int(df.runs.iloc[0])} runs)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


# --------------------------------------------------------------------------- Figure 5


def trajectory(p1, p2, p3, p4, periods, runs, seed) -> np.ndarray:
    """Knowledge of the code after each period 0..periods, ``(periods + 1, runs)``.

    Uses the same streams as :func:`march_detail`, so row ``t`` equals
    ``march(..., periods=t, seed=seed)``.
    """
    stream = Stream.from_seeds(
        np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key).spawn(runs), "knowledge"
    )
    state = new_state(stream, people=50, groups=1, m=30)
    group = np.zeros(50, dtype=np.intp)
    out = [code_knowledge(state)[:, 0]]
    for _ in range(periods):
        step(state, stream, group=group, p1=p1, p2=p2, p3=p3, p4=p4)
        out.append(code_knowledge(state)[:, 0])
    return np.array(out)


def figure5(runs: int) -> pd.DataFrame:
    """Turbulence p4 = 0.02 over 100 periods, with and without turnover p3 = 0.1."""
    frames = []
    for i, p3 in enumerate((0.0, 0.1)):
        k = trajectory(0.5, 0.5, p3, 0.02, 100, runs, seed_for(5, i))
        frames.append(
            pd.DataFrame(
                dict(
                    p3=p3,
                    period=np.arange(k.shape[0]),
                    runs=runs,
                    knowledge=k.mean(axis=1).round(4),
                    se=(k.std(axis=1, ddof=1) / np.sqrt(runs)).round(4),
                )
            )
        )
    return pd.concat(frames, ignore_index=True)


def plot_figure5(df: pd.DataFrame, path: Path) -> None:
    """Knowledge of the code over time under turbulence."""
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for p3, colour in ((0.0, "tab:red"), (0.1, "tab:blue")):
        d = df[df.p3 == p3]
        ax.plot(d.period, d.knowledge, color=colour, label=f"turnover p3 = {p3}")
        ax.fill_between(
            d.period, d.knowledge - 2 * d.se, d.knowledge + 2 * d.se, color=colour, alpha=0.2
        )
    ax.axhline(0.0, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("period")
    ax.set_ylabel("knowledge of the code")
    ax.set_title(
        f"March (1991) Figure 5: turbulence p4 = 0.02 (p1 = p2 = 0.5, {int(df.runs.iloc[0])} runs)",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


# --------------------------------------------------------------------------- Fang et al.


def figure_fang(runs: int) -> pd.DataFrame:
    """Equilibrium knowledge of 5 subgroups x 10 people against the cross-link rate."""
    rows = []
    for i, q in enumerate(FANG_LINKS):
        res = fang_detail(q, runs=runs, seed=seed_for(6, i), max_periods=FANG_CAP)
        mean, se = mean_se(res.knowledge)
        rows.append(
            dict(
                p_link=q,
                runs=runs,
                knowledge=round(mean, 4),
                se=round(se, 4),
                mean_periods=round(float(res.periods.mean()), 1),
                capped=int(res.capped.sum()),
            )
        )
    return pd.DataFrame(rows)


def plot_fang(df: pd.DataFrame, path: Path) -> None:
    """The inverted U: isolation, moderate linking, full mixing."""
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    ax.errorbar(df.p_link, df.knowledge, yerr=2 * df.se, marker="o", capsize=3)
    ax.set_xscale("symlog", linthresh=1e-3)
    ax.set_xlim(-1e-4, 1.3)
    ax.set_xlabel("cross-link probability per person and period (symlog; 0 = isolated)")
    ax.set_ylabel("equilibrium knowledge (mean of the 5 codes)")
    ax.set_title(
        f"Fang, Lee & Schilling (2010) pattern: 5 subgroups x 10 people\n"
        f"(p1 = 0.9, p2 = 0.5, {int(df.runs.iloc[0])} runs/point)",
        fontsize=10,
    )
    best = df.loc[df.knowledge.idxmax()]
    ax.annotate(
        f"best: {best.knowledge:.3f} at {best.p_link:g}",
        (best.p_link, best.knowledge),
        textcoords="offset points",
        xytext=(10, -25),
        fontsize=9,
        arrowprops=dict(arrowstyle="->"),
    )
    first, last = df.iloc[0], df.iloc[-1]
    ax.annotate(
        "isolated\nsubgroups",
        (first.p_link, first.knowledge),
        textcoords="offset points",
        xytext=(8, 10),
        fontsize=9,
    )
    ax.annotate(
        "full mixing",
        (last.p_link, last.knowledge),
        textcoords="offset points",
        xytext=(-70, -18),
        fontsize=9,
    )
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    """Run the chosen figures and write their CSV, PNG and the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000, help="runs per cell (default 2000)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="output directory")
    parser.add_argument(
        "--only",
        nargs="*",
        default=["1", "2", "4", "5", "fang"],
        help="figures to make (1 2 4 5 fang)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = {
        "1": ("fig1", figure1, plot_figure1),
        "2": ("fig2", figure2, plot_figure2),
        "4": ("fig4", figure4, plot_figure4),
        "5": ("fig5", figure5, plot_figure5),
        "fang": ("fang", figure_fang, plot_fang),
    }
    for key in args.only:
        name, compute, plot = jobs[key]
        t0 = time.perf_counter()
        df = compute(args.runs)
        df.to_csv(args.out / f"{name}.csv", index=False)
        plot(df, args.out / f"{name}.png")
        print(f"{name}: {time.perf_counter() - t0:.1f} s")
        if name != "fig5":
            print(df.to_string(index=False))


if __name__ == "__main__":
    main()
