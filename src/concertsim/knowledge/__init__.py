"""Organisational knowledge: March's (1991) organisational-code model, batched.

The kernel follows the variant of March (1991) that reproduces the paper's Figure 1
(Christensen 2015, as recreated by Workiewicz): see ``shared/brief/anchors.md`` §1.
Each period, in this order:

1. turnover: each active person is replaced with probability ``p3`` (and every person
   the caller marks in ``newcomers``) by a newcomer with uniform beliefs in {-1, 0, +1};
2. turbulence: each dimension of reality flips sign with probability ``p4``;
3. act: a person acts on her beliefs, tossing a fair coin where her belief is 0;
   her performance is ``a . r``;
4. socialisation (gradual): on each dimension where the target code is non-zero and
   differs from the belief, the belief moves one step toward it with probability ``p1``;
5. code learning: the superior group of an organisation is its active people whose
   performance beats the code's score ``c . r``; on each dimension where the sign of
   the sum ``s_j`` of their actions is non-zero and differs from the code, the code
   takes that sign with probability ``1 - (1 - p2) ** |s_j|``.

The state holds many runs at once (leading batch axis ``B``), many people ``P`` and
many organisations ``G`` (each person belongs to one organisation, each organisation
has its own code). The pure March case is ``G = 1`` with everyone active and no ties.

All randomness comes from a :class:`~concertsim.streams.Stream`: every step makes
exactly :data:`DRAWS_PER_STEP` draws, whatever the state, and every random number is
a pure function of (run key, draw counter, position). Draws are dense or sparse
(only where a number is needed) with the same numbers either way, so a run's result
never depends on the other runs of its batch, on the batch size, nor on which runs
have already been dropped.


The package, one module per topic, in the order a period uses them:

- :mod:`~concertsim.knowledge.state`: the batch's reality, beliefs and codes, and their
  knowledge ``c . r / m``;
- :mod:`~concertsim.knowledge.draws`: the kernel's random numbers;
- :mod:`~concertsim.knowledge.period`: one period, :func:`step` (the order of the steps
  and their draws);
- :mod:`~concertsim.knowledge.kernel`: steps 1 to 4 (turnover, turbulence, acting,
  socialisation) and the superior groups' vote sums, compiled (numba);
- :mod:`~concertsim.knowledge.code_learning`: step 5, the codes learning from the sums;
- :mod:`~concertsim.knowledge.equilibrium`: the stopping rule;
- :mod:`~concertsim.knowledge.march1991` and :mod:`~concertsim.knowledge.fang2010`: the
  published models built on the kernel (:func:`march`, :func:`fang`);
- :mod:`~concertsim.knowledge.checks`: their argument checks.

What the rest of concertsim uses is re-exported here (``from concertsim import
knowledge; knowledge.step(...)``).

Example:
    >>> import numpy as np
    >>> k = march(0.1, 0.9, runs=20, seed=1)
    >>> k.shape
    (20,)
    >>> bool(0.8 < k.mean() <= 1.0)
    True
"""

from .equilibrium import at_equilibrium
from .fang2010 import fang, fang_detail
from .march1991 import MAX_PERIODS, MarchResult, march, march_detail
from .period import DRAWS_PER_STEP, step
from .state import KnowledgeState, belief_knowledge, code_knowledge, new_state

__all__ = [
    "DRAWS_PER_STEP",
    "MAX_PERIODS",
    "KnowledgeState",
    "MarchResult",
    "at_equilibrium",
    "belief_knowledge",
    "code_knowledge",
    "fang",
    "fang_detail",
    "march",
    "march_detail",
    "new_state",
    "step",
]
