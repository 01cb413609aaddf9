"""Fixtures of the experiment tests; registers the test models (:mod:`.testmodels`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import ishigami_lhs
from .testmodels import register

register()


@pytest.fixture
def lhs_file(tmp_path: Path) -> Path:
    """A small noisy Ishigami LHS experiment (20 points x 3 replicates, batches of 7)."""
    return ishigami_lhs(tmp_path / "lhs.toml")
