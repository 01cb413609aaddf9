"""Experiments at scale: sweeps, replicates and global sensitivity analysis.

An experiment file (TOML, see ``experiments/README.md``) names a base scenario, the
parameters that vary, a design (grid, Latin hypercube, Sobol/Saltelli, Morris, or a mixture
design on the role-mix simplex), replicates per point and outcomes of interest.
``concertsim sweep`` runs it on a process pool, a dask cluster or under MPI into a results
store that fills as tasks finish and can be resumed; ``concertsim analyze`` turns the store
into sensitivity indices, variance shares, stability maps, CSV tables and PNG figures.

Modules: :mod:`.spec` (experiment files), :mod:`.designs`, :mod:`.models`, :mod:`.executors`,
:mod:`.store`, :mod:`.runner`, :mod:`.analysis`, :mod:`.cli`.

The public surface is three functions::

    from concertsim.experiment import load_experiment, run_sweep, analyze

"""

from concertsim.experiment.analysis import analyze
from concertsim.experiment.runner import SweepReport, run_sweep
from concertsim.experiment.spec import Experiment, load_experiment

__all__ = ["load_experiment", "run_sweep", "analyze", "Experiment", "SweepReport"]
