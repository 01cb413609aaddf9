"""The submodels: each acts on the arrays of a batch of runs, one month at a time.

One file per mechanism group, named for it; the schedule that calls them in
order is :meth:`concertsim.engine.Engine.step` (declared as
:data:`concertsim.engine.SCHEDULE`).
"""

__all__ = [
    "credibility",
    "engagement",
    "folding",
    "funding",
    "learning",
    "networking",
    "people",
    "roles",
    "turnover",
]
