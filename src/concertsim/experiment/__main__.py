"""``python -m concertsim.experiment sweep|analyze ...`` (used under ``mpiexec``)."""

import sys

from concertsim.experiment.cli import main

sys.exit(main())
