"""Analysis of a sweep's results store: indices, variance shares, stability maps, figures.

One module per method, in the manner of EMA Workbench's ``analysis`` package:

* :mod:`.variance` -- ``points.csv`` (per design point: runs, mean, sd) and ``variance.csv``
  (the share of outcome variance due to parameters against replicates, by a points x
  replicates two-way analysis of variance under common random numbers);
* :mod:`.sobol` -- ``sobol.csv`` (S1, ST and their bootstrap intervals), ``sobol_s2.csv``,
  ``sobol_convergence.csv``;
* :mod:`.morris` -- ``morris.csv`` (mu, mu*, its interval, sigma), ``morris_convergence.csv``;
* :mod:`.grid` -- ``main_effects.csv`` of grid designs;
* :mod:`.mixture` -- ``mixture.csv`` and ``stable_mixes.csv`` of mixture designs;
* :mod:`.worlds` -- ``robust*.csv``, ``rank_correlation.csv``: a mixture across plausible worlds;
* :mod:`.figures` -- every figure, drawn on its own Agg canvas (no pyplot, no backend switch);
* :mod:`.driver` -- :func:`analyze_store`: checks, ``[analysis]`` settings, writing;
* :mod:`.common` -- the :class:`AnalysisReport` and what the methods share.

Indices use the mean over replicates at each point; the variance table says how much of the
outcome's variance those means leave out.

Example:
    >>> from concertsim.experiment.analysis import analyze_store, variance_shares
    >>> analyze is analyze_store
    True
"""

from concertsim.experiment.analysis.common import RUN_COLUMNS, AnalysisReport
from concertsim.experiment.analysis.driver import analyze_store
from concertsim.experiment.analysis.grid import main_effects
from concertsim.experiment.analysis.mixture import mixture_table
from concertsim.experiment.analysis.morris import morris_indices
from concertsim.experiment.analysis.sobol import sobol_convergence, sobol_indices
from concertsim.experiment.analysis.variance import point_summary, variance_shares

analyze = analyze_store
"""The public name of :func:`analyze_store`."""

__all__ = [
    "AnalysisReport",
    "RUN_COLUMNS",
    "analyze",
    "analyze_store",
    "main_effects",
    "mixture_table",
    "morris_indices",
    "point_summary",
    "sobol_convergence",
    "sobol_indices",
    "variance_shares",
]
