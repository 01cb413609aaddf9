"""The limits of what one command may ask for, defined once and checked before anything runs.

A scenario, an experiment or a command line asking for more is refused with one
:class:`~concertsim.errors.InputError` before anything is allocated, run or written:

* :data:`MAX_FILE_BYTES` -- 1 MiB per scenario or experiment file; only regular files
  are read (not a directory, FIFO, socket or device such as ``/dev/zero``);
* :data:`MAX_EXTENDS_DEPTH` -- 32 files in a chain of ``extends`` (cycles are refused);
* :data:`MAX_RUNS` -- 1,000,000 runs in one command (``run`` replicates, or sweep
  design points x replicates);
* :data:`MAX_DESIGN_POINTS` -- 1,000,000 points in one design (counted before sampling);
* :data:`MAX_PEOPLE` -- 10,000,000 posts simulated at once (runs of one batch x posts of
  the structure: ``run`` holds all its replicates in memory);
* :data:`MAX_CELLS` -- 10,000,000,000 person-months in one command (runs x posts x months);
* the horizon (``horizon``, ``--months``) is a parameter: 1 to 1200 months
  (:data:`concertsim.config.HORIZON_INFO`);
* :data:`MAX_WORKERS` -- 1024 worker processes; :data:`MAX_BOOTSTRAP` -- 100,000
  bootstrap resamples.

Example:
    >>> check_workload("--replicates", "", runs=10, people=59, months=120)
    >>> check_size("--replicates", "", 10**12, MAX_RUNS, "runs")
    Traceback (most recent call last):
    ...
    concertsim.errors.InputError: --replicates: expected at most 1,000,000 runs, got 1,000,000,000,000
"""  # noqa: E501

from __future__ import annotations

from concertsim.errors import InputError, verbatim
from concertsim.params import Structure

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_EXTENDS_DEPTH",
    "MAX_RUNS",
    "MAX_DESIGN_POINTS",
    "MAX_PEOPLE",
    "MAX_CELLS",
    "MAX_WORKERS",
    "MAX_BOOTSTRAP",
    "LIMITS_HELP",
    "posts",
    "check_size",
    "check_workload",
]

MAX_FILE_BYTES = 1 << 20
"""Largest scenario or experiment file read, in bytes (1 MiB)."""

MAX_EXTENDS_DEPTH = 32
"""Most files in one chain of ``extends``."""

MAX_RUNS = 1_000_000
"""Most runs in one command: ``run`` replicates, or sweep points x replicates."""

MAX_DESIGN_POINTS = 1_000_000
"""Most points in one experiment design, counted before anything is sampled."""

MAX_PEOPLE = 10_000_000
"""Most posts simulated at once: runs of one batch x posts of the structure."""

MAX_CELLS = 10_000_000_000
"""Most person-months in one command: runs x posts x months."""

MAX_WORKERS = 1024
"""Most worker processes of a sweep."""

MAX_BOOTSTRAP = 100_000
"""Most bootstrap resamples of an analysis."""

LIMITS_HELP = (
    f"limits: scenario and experiment files are regular files of at most "
    f"{MAX_FILE_BYTES // (1 << 20)} MiB, at most {MAX_EXTENDS_DEPTH} files deep in extends; "
    f"at most {MAX_RUNS:,} runs per command, {MAX_PEOPLE:,} posts simulated at once "
    f"(replicates x posts) and {MAX_CELLS:,} person-months (runs x posts x months); "
    "horizon and --months 1 to 1200"
)
"""The limits in one paragraph, for ``--help``."""


def posts(structure: Structure) -> int:
    """Posts (people simulated) of one run of ``structure``.

    Example:
        >>> posts(Structure())
        59
    """
    s = structure
    per_region = (
        s.local_committees * (s.local_staff + s.local_elected)
        + s.sectoral_tables * s.sectoral_staff
        + s.regional_staff
        + s.regional_elected
    )
    return s.regions * per_region + s.national_actors * s.national_staff


def check_size(file: str, key: str, value: int, limit: int, what: str) -> None:
    """Refuse ``value`` above ``limit`` (a count of ``what``), before anything is allocated.

    Example:
        >>> check_size("--replicates", "", 10**12, MAX_RUNS, "runs")
        Traceback (most recent call last):
        ...
        concertsim.errors.InputError: --replicates: expected at most 1,000,000 runs, got 1,000,000,000,000
    """  # noqa: E501
    if value > limit:
        shown = f"{value:,}" if value < 10**30 else f"about 10^{len(str(value)) - 1}"
        raise InputError(file, key, f"at most {limit:,} {what}", verbatim(shown))


def check_workload(
    file: str, key: str, *, runs: int, people: int, months: int, batch: int | None = None
) -> None:
    """Refuse a command of more than :data:`MAX_RUNS`, :data:`MAX_PEOPLE` or :data:`MAX_CELLS`.

    Args:
        file: the file or option named in errors.
        key: the key named in errors.
        runs: runs of the command.
        people: posts of one run.
        months: months of one run.
        batch: runs held in memory at once (default: all of them).

    Example:
        >>> check_workload("--replicates", "", runs=10, people=59, months=120)
    """
    check_size(file, key, runs, MAX_RUNS, "runs")
    at_once = (runs if batch is None else min(batch, runs)) * people
    check_size(file, key, at_once, MAX_PEOPLE, "posts simulated at once (runs x posts)")
    cells = runs * people * months
    check_size(file, key, cells, MAX_CELLS, "person-months (runs x posts x months)")
