"""Step 5 of a period: each code learns from its superior group's vote sums.

The superior group of an organisation is its active people whose performance beats the
code's score; ``s_j`` sums their actions on dimension ``j``
(:func:`concertsim.knowledge.kernel.period` computes the sums), and the code takes the
sign of ``s_j`` with probability ``1 - (1 - p2) ** |s_j|``.

Example:
    >>> import numpy as np
    >>> code = np.zeros((1, 1, 3), dtype=np.int8)
    >>> sums = np.array([[[2, 0, -1]]], dtype=np.int32)
    >>> learn_code(code, sums, 1.0, np.array([5], dtype=np.uint64))  # p2 = 1: certain
    >>> code.tolist()
    [[[1, 0, -1]]]
"""

from __future__ import annotations

import numpy as np

from .draws import Prob

__all__ = ["learn_code"]


def learn_code(code: np.ndarray, sums: np.ndarray, p2: Prob, bases: np.ndarray) -> None:
    """Step 5: each code moves toward the majority action of its superior group.

    The candidates and the draws are compiled (:func:`concertsim.knowledge.kernel.adopt`);
    the probabilities are numpy's (its ``power`` may differ from a compiled one in the
    last bit).
    """
    from . import kernel  # numba is imported at the first period, not with concertsim

    B, G, m = code.shape
    flat = np.empty(code.size, dtype=np.int64)
    flat = flat[: kernel.code_candidates(code, sums, flat)]
    if flat.size == 0:
        return
    run_org = flat // m  # flat = (run G + org) m + dim
    pr = np.asarray(p2, dtype=np.float64)
    if pr.ndim:  # one probability per (run, organisation), gathered at the candidates
        pr = np.take(pr if pr.shape == (B, G) else np.broadcast_to(pr, (B, G)), run_org)
    prob = 1.0 - (1.0 - pr) ** np.abs(np.take(sums.reshape(-1), flat))
    kernel.adopt(code, sums, flat, prob, bases)
