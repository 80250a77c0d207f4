"""The per-user logistic regression on separable and overlapping data."""

from __future__ import annotations

import numpy as np
import pytest

from paperwire.relevance import nearest, train_logistic


def test_logistic_regression_ranks_the_interest_cluster_first() -> None:
    rng = np.random.default_rng(7)
    centre = rng.normal(size=16)
    positives = (centre + 0.3 * rng.normal(size=(5, 16))).astype(np.float32)
    negatives = rng.normal(size=(200, 16)).astype(np.float32)
    model = train_logistic(positives, negatives)
    near = (centre + 0.3 * rng.normal(size=(20, 16))).astype(np.float32)
    far = rng.normal(size=(20, 16)).astype(np.float32)
    near_scores, far_scores = model.score(near), model.score(far)
    assert near_scores.min() > np.median(far_scores)
    assert np.all((near_scores >= 0) & (near_scores <= 1))


def test_training_needs_both_classes_and_nearest_uses_cosine() -> None:
    with pytest.raises(ValueError, match="at least one positive and one negative"):
        train_logistic(np.zeros((0, 3), np.float32), np.ones((2, 3), np.float32))
    examples = np.array([[1, 0], [0, 1]], np.float32)
    assert nearest(np.array([[10, 1], [0.1, 3]], np.float32), examples).tolist() == [0, 1]
