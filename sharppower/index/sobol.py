"""Variance-based sensitivity indices: the Saltelli design and the Saltelli/Jansen estimators.

Design (Saltelli 2002; Saltelli et al. 2010, section 3): two independent N x D matrices A
and B of uniform numbers; for each factor i (a group of columns: a factor may span several
columns, as the weights do) the matrix AB_i is A with the columns of factor i taken from B.
The model runs on A, B and every AB_i: N (F + 2) runs for F factors.

Estimators (Saltelli et al. 2010, Table 2, (b) and (f)), with V = Var([f(A); f(B)]):
    first order  S_i  = mean( f(B) (f(AB_i) - f(A)) ) / V          (Saltelli 2010)
    total order  ST_i = mean( (f(A) - f(AB_i))^2 ) / (2 V)          (Jansen 1999)

The outputs are first centred on the mean of [f(A); f(B)] (as SALib does), which lowers
the variance of the first-order estimator without changing its expectation.

A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto, S. Tarantola (2010), Variance
based sensitivity analysis of model output. Design and estimator for the total
sensitivity index, Computer Physics Communications 181, 259-270.
M. J. W. Jansen (1999), Analysis of variance designs for model output, Computer Physics
Communications 117, 35-43.
"""

from __future__ import annotations

import numpy as np


def saltelli_design(n: int, groups: list[list[int]], rng: np.random.Generator):
    """A, B (n, D) and AB (F, n, D) for factors given as lists of column indices."""
    d = sum(len(g) for g in groups)
    A, B = rng.random((n, d)), rng.random((n, d))
    AB = np.repeat(A[None], len(groups), axis=0)
    for i, cols in enumerate(groups):
        AB[i][:, cols] = B[:, cols]
    return A, B, AB


def sobol_indices(fA: np.ndarray, fB: np.ndarray, fAB: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First- and total-order indices from model outputs: fA, fB (n, ...) and fAB
    (F, n, ...); returns S1, ST of shape (F, ...). NaN where the output does not vary."""
    both = np.concatenate([fA, fB], axis=0)
    centre = both.mean(axis=0)
    fA, fB, fAB = fA - centre, fB - centre, fAB - centre
    V = np.var(both, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        S1 = np.mean(fB[None] * (fAB - fA[None]), axis=1) / V
        ST = 0.5 * np.mean((fA[None] - fAB) ** 2, axis=1) / V
    varies = V > 0
    return np.where(varies, S1, np.nan), np.where(varies, ST, np.nan)
