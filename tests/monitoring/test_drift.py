"""Reference summaries and drift statistics: none on the reference itself, large on shifted data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modelspec.monitoring.drift import (
    BINS,
    SAMPLE_SIZE,
    feature_drift,
    jensen_shannon,
    psi,
    summarize,
)

METHODS = ["psi", "ks", "jensenshannon", "wasserstein"]


def _frame(n: int, shift: float = 0.0, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": rng.normal(loc=shift, size=n),
            "site": rng.choice(
                ["north", "south"], p=[0.7, 0.3] if not shift else [0.2, 0.8], size=n
            ),
        }
    )


def test_a_summary_holds_quantile_bins_a_sample_and_frequencies() -> None:
    summary = summarize(_frame(20_000), ("x",), ("site",), seed=1)
    x = summary["features"]["x"]
    assert summary["row_count"] == 20_000
    assert len(x["bin_edges"]) == BINS - 1 and len(x["bin_counts"]) == BINS
    assert sum(x["bin_counts"]) == 20_000
    assert max(x["bin_counts"]) - min(x["bin_counts"]) <= 2  # quantile bins are even
    assert len(x["sample"]) == SAMPLE_SIZE
    assert summary == summarize(_frame(20_000), ("x",), ("site",), seed=1)  # seeded
    assert sum(summary["features"]["site"]["frequencies"].values()) == 20_000


@pytest.mark.parametrize("method", METHODS)
def test_the_reference_itself_shows_no_drift(method: str) -> None:
    frame = _frame(3000)
    summary = summarize(frame, ("x",), ("site",), seed=0)
    for name in ("x", "site"):
        drift = feature_drift(name, summary["features"][name], frame[name], method, 0.1)
        assert drift.value == pytest.approx(0.0, abs=1e-9)
        assert not drift.breached


@pytest.mark.parametrize("method", METHODS)
def test_a_shifted_feature_drifts(method: str) -> None:
    summary = summarize(_frame(3000), ("x",), ("site",), seed=0)
    shifted = _frame(3000, shift=1.5, seed=9)
    drift = feature_drift("x", summary["features"]["x"], shifted["x"], method, 0.2)
    assert drift.breached and drift.value > 0.2 and drift.method == method
    site = feature_drift(
        "site", summary["features"]["site"], shifted["site"].astype(object), method, 0.2
    )
    assert site.breached and site.kind == "categorical"
    assert site.method == ("psi" if method == "psi" else "jensenshannon")


def test_fresh_data_from_the_same_distribution_stays_under_usual_thresholds() -> None:
    summary = summarize(_frame(5000), ("x",), (), seed=0)
    fresh = _frame(5000, seed=42)["x"]
    assert feature_drift("x", summary["features"]["x"], fresh, "psi", 0.1).value < 0.02
    assert feature_drift("x", summary["features"]["x"], fresh, "ks", 0.1).value < 0.05


def test_psi_and_jensen_shannon_on_counts() -> None:
    assert psi([50, 50], [50, 50]) == 0.0
    assert psi([50, 50], [90, 10]) == pytest.approx(
        0.4 * np.log(0.9 / 0.5) - 0.4 * np.log(0.1 / 0.5)
    )
    assert psi([100, 0], [50, 50]) > 1  # an empty reference bin stays finite
    assert jensen_shannon([1, 0], [0, 1]) == pytest.approx(1.0)


def test_an_unseen_category_counts_as_drift() -> None:
    summary = summarize(_frame(1000), (), ("site",), seed=0)
    current = pd.Series(["east"] * 500 + ["north"] * 500, dtype=object)
    assert feature_drift("site", summary["features"]["site"], current, "psi", 0.2).breached
