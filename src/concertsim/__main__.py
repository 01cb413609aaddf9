"""``python -m concertsim``: the same as the ``concertsim`` command."""

import sys

from concertsim.cli import main

if __name__ == "__main__":
    sys.exit(main())
