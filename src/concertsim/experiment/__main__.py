"""``python -m concertsim.experiment sweep|analyze ...`` (what the MPI launch runs)."""

import sys

from concertsim.experiment.cli import main

if __name__ == "__main__":  # MPI and process-pool workers import this module too
    sys.exit(main())
