"""The state of a batch of March (1991) runs: reality, beliefs and codes, and their knowledge.

Knowledge of a code (or a person) is the agreement of its signs with reality,
``c . r / m`` in [-1, 1].

Example:
    >>> import numpy as np
    >>> from concertsim.streams import Stream
    >>> s = new_state(Stream.from_seeds([np.random.SeedSequence(1)], "knowledge"),
    ...               people=4, groups=2, m=6)
    >>> s.beliefs.shape, s.code.shape
    ((1, 4, 6), (1, 2, 6))
    >>> code_knowledge(s).tolist()  # neutral codes know nothing
    [[0.0, 0.0]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from concertsim.streams import Stream

from .checks import check_int
from .draws import trits

__all__ = [
    "KnowledgeState",
    "belief_knowledge",
    "code_knowledge",
    "new_state",
    "dot_scores",
]


@dataclass
class KnowledgeState:
    """Reality, beliefs and codes of a batch of runs.

    Attributes:
        reality: ``(B, m)`` int8, values -1/+1.
        beliefs: ``(B, P, m)`` int8, values -1/0/+1 (P people over all organisations).
        code: ``(B, G, m)`` int8, values -1/0/+1 (one code per organisation).
    """

    reality: np.ndarray
    beliefs: np.ndarray
    code: np.ndarray

    @property
    def batch(self) -> int:
        """Number of runs B."""
        return int(self.reality.shape[0])

    @property
    def dims(self) -> int:
        """Number of dimensions of reality m."""
        return int(self.reality.shape[1])

    def subset(self, runs: np.ndarray) -> KnowledgeState:
        """The state of some runs only (index array or boolean mask), copied."""
        return KnowledgeState(self.reality[runs], self.beliefs[runs], self.code[runs])


def new_state(stream: Stream, *, people: int, groups: int, m: int) -> KnowledgeState:
    """A fresh batch: uniform reality and beliefs, neutral codes.

    Makes two draws from ``stream`` (reality, then beliefs).

    Args:
        stream: one key per run.
        people: number of people (posts) P over all organisations.
        groups: number of organisations G.
        m: number of dimensions of reality.

    Returns:
        The state, reality ±1 with probability 1/2 each, beliefs -1/0/+1 with
        probability 1/3 each, codes all 0.
    """
    check_int("people", people)
    check_int("groups", groups)
    check_int("m", m)
    B = stream.batch
    reality = np.where(stream.uniform((m,)) < 0.5, 1, -1).astype(np.int8)
    beliefs = trits(stream.uniform((people, m)))
    code = np.zeros((B, groups, m), dtype=np.int8)
    return KnowledgeState(reality, beliefs, code)


def code_knowledge(state: KnowledgeState) -> np.ndarray:
    """Knowledge of each code, ``c . r / m``, shape ``(B, G)``."""
    return dot_scores(state.code, state.reality) / state.dims


def belief_knowledge(state: KnowledgeState) -> np.ndarray:
    """Knowledge of each person, ``b . r / m``, shape ``(B, P)``."""
    return dot_scores(state.beliefs, state.reality) / state.dims


def dot_scores(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Dot products over the last axis, as int32 ``(B, K)``.

    ``x`` is ``(B, K, m)`` and ``y`` is ``(B, m)`` (shared by the K rows) or
    ``(B, K, m)``; entries are in {-1, 0, 1}, so int8 accumulation is exact for
    ``m <= 127`` (and much faster).
    """
    acc = np.int8 if x.shape[-1] <= 127 else np.int32
    spec = "bkm,bm->bk" if y.ndim == 2 else "bkm,bkm->bk"
    return np.einsum(spec, x, y, dtype=acc).astype(np.int32)
