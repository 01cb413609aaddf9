"""concertsim: agent-based simulation of multi-level concertation in regional social development.

Local committees, sectoral tables, a regional body and national actors interact;
credibility spills over between levels while staff turnover erodes knowledge and
leadership; scenario runs show which mixes of roles keep the structure stable.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("concertsim")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
