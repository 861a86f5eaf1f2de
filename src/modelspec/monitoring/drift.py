"""Data summaries (the monitoring reference kept with every build) and per-feature drift statistics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BINS",
    "SAMPLE_SIZE",
    "FeatureDrift",
    "feature_drift",
    "summarize",
]

BINS = 10  # quantile bins of a numeric feature
SAMPLE_SIZE = 5000  # reference values kept for ks and wasserstein
_EPSILON = 1e-6  # stands in for an empty bin, so PSI stays finite


@dataclass(frozen=True)
class FeatureDrift:
    """One feature's drift statistic against its threshold."""

    feature: str
    kind: str  # "numeric" | "categorical"
    method: str  # the statistic used: psi | ks | jensenshannon | wasserstein
    value: float
    threshold: float

    @property
    def breached(self) -> bool:
        return self.value > self.threshold

    def as_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "kind": self.kind,
            "method": self.method,
            "value": self.value,
            "threshold": self.threshold,
            "breached": self.breached,
        }


def summarize(
    frame: Any, numeric: tuple[str, ...], categorical: tuple[str, ...], seed: int
) -> dict[str, Any]:
    """Per-feature reference statistics: quantile bins, counts and a sample; value frequencies."""
    import numpy as np

    from modelspec.learn.train import feature_frame

    x = feature_frame(frame, numeric, categorical)
    rng = np.random.default_rng(seed)
    features: dict[str, Any] = {}
    for name in numeric:
        values = x[name].to_numpy(dtype="float64")
        present = values[~np.isnan(values)]
        summary: dict[str, Any] = {
            "type": "numeric",
            "count": len(values),
            "missing": int(len(values) - len(present)),
        }
        if len(present):
            edges = _edges(present)
            take = min(SAMPLE_SIZE, len(present))
            sample = np.sort(rng.choice(present, size=take, replace=False))
            summary.update(
                mean=float(present.mean()),
                std=float(present.std()),
                min=float(present.min()),
                max=float(present.max()),
                bin_edges=[float(e) for e in edges],
                bin_counts=[int(c) for c in _bin_counts(present, edges)],
                sample=[float(v) for v in sample],
            )
        features[name] = summary
    for name in categorical:
        counts = x[name].value_counts()
        features[name] = {
            "type": "categorical",
            "count": len(x),
            "frequencies": {str(k): int(v) for k, v in sorted(counts.items())},
        }
    return {"row_count": len(x), "features": features}


def _edges(values: Any) -> Any:
    """Inner bin edges: the distinct interior quantiles (k edges make k+1 bins)."""
    import numpy as np

    quantiles = np.quantile(values, np.linspace(0, 1, BINS + 1)[1:-1])
    return np.unique(quantiles)


def _bin_counts(values: Any, edges: Any) -> Any:
    import numpy as np

    index = np.searchsorted(np.asarray(edges, dtype="float64"), values, side="right")
    return np.bincount(index, minlength=len(edges) + 1)


def _proportions(counts: Any) -> Any:
    import numpy as np

    counts = np.asarray(counts, dtype="float64")
    total = counts.sum()
    return counts / total if total else counts


def psi(reference_counts: Any, current_counts: Any) -> float:
    """Population stability index over matching bins."""
    import numpy as np

    ref = np.clip(_proportions(reference_counts), _EPSILON, None)
    cur = np.clip(_proportions(current_counts), _EPSILON, None)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def jensen_shannon(reference_counts: Any, current_counts: Any) -> float:
    """Jensen-Shannon distance (base 2, so 0..1) between two binned distributions."""
    from scipy.spatial.distance import jensenshannon

    return float(
        jensenshannon(_proportions(reference_counts), _proportions(current_counts), base=2)
    )


def feature_drift(
    name: str, reference: Mapping[str, Any], current: Any, method: str, threshold: float
) -> FeatureDrift:
    """Drift of one feature: current values (a pandas Series in model input form) vs its summary.

    Numeric: psi and jensenshannon on the reference quantile bins, ks
    (two-sample statistic) and wasserstein on the reference sample.
    Categorical: psi on value frequencies; jensenshannon for the other methods,
    since a KS or Wasserstein distance needs ordered values.
    """
    import numpy as np

    if reference.get("type") == "categorical":
        freqs: Mapping[str, int] = reference.get("frequencies", {})
        seen = current.value_counts()
        keys = sorted(set(freqs) | {str(k) for k in seen.index})
        ref = [freqs.get(k, 0) for k in keys]
        cur = [int(seen.get(k, 0)) for k in keys]
        used = "psi" if method == "psi" else "jensenshannon"
        value = psi(ref, cur) if used == "psi" else jensen_shannon(ref, cur)
        return FeatureDrift(name, "categorical", used, value, threshold)
    values = current.to_numpy(dtype="float64")
    values = values[~np.isnan(values)]
    if not len(values) or "bin_edges" not in reference:
        return FeatureDrift(
            name, "numeric", method, 0.0 if not len(values) else float("inf"), threshold
        )
    if method in ("psi", "jensenshannon"):
        edges = reference["bin_edges"]
        cur_counts = _bin_counts(values, edges)
        stat = psi if method == "psi" else jensen_shannon
        return FeatureDrift(
            name, "numeric", method, stat(reference["bin_counts"], cur_counts), threshold
        )
    sample = np.asarray(reference["sample"], dtype="float64")
    if method == "ks":
        from scipy.stats import ks_2samp

        value = float(ks_2samp(sample, values).statistic)
    else:
        from scipy.stats import wasserstein_distance

        value = float(wasserstein_distance(sample, values))
    return FeatureDrift(name, "numeric", method, value, threshold)
