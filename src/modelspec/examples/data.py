"""The example project's datasets, written as CSV from scikit-learn's bundled datasets."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["BREAST_CANCER_CSV", "DIABETES_CSV", "SITES", "write_datasets"]

BREAST_CANCER_CSV = "breast_cancer.csv"
DIABETES_CSV = "diabetes.csv"

# Clinics the diabetes cohort was recruited at; the contract lists the same values.
SITES = ("north-clinic", "central-hospital", "south-clinic")

# scikit-learn's feature name -> the example's column name (the ten "mean" measurements)
_BREAST_CANCER_FEATURES = {
    "mean radius": "mean_radius",
    "mean texture": "mean_texture",
    "mean perimeter": "mean_perimeter",
    "mean area": "mean_area",
    "mean smoothness": "mean_smoothness",
    "mean compactness": "mean_compactness",
    "mean concavity": "mean_concavity",
    "mean concave points": "mean_concave_points",
    "mean symmetry": "mean_symmetry",
    "mean fractal dimension": "mean_fractal_dimension",
}
_DIABETES_FEATURES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")


def write_datasets(directory: Path) -> list[Path]:
    """Write breast_cancer.csv and diabetes.csv into directory; the bytes are the same every run."""
    directory.mkdir(parents=True, exist_ok=True)
    return [
        _write_csv(directory / BREAST_CANCER_CSV, *_breast_cancer_rows()),
        _write_csv(directory / DIABETES_CSV, *_diabetes_rows()),
    ]


def _breast_cancer_rows() -> tuple[list[str], list[list[str]]]:
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    names = [str(name) for name in bunch.feature_names]
    indices = [names.index(source) for source in _BREAST_CANCER_FEATURES]
    malignant_class = [str(name) for name in bunch.target_names].index("malignant")
    header = ["patient_id", *_BREAST_CANCER_FEATURES.values(), "malignant"]
    rows = []
    for i, (features, target) in enumerate(zip(bunch.data, bunch.target, strict=True)):
        measured = [_decimal(float(features[j]), 6) for j in indices]
        malignant = "true" if int(target) == malignant_class else "false"
        rows.append([_patient_id("BC", i), *measured, malignant])
    return header, rows


def _diabetes_rows() -> tuple[list[str], list[list[str]]]:
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes()
    names = [str(name) for name in bunch.feature_names]
    indices = [names.index(source) for source in _DIABETES_FEATURES]
    header = [*_DIABETES_FEATURES, "site", "progression"]
    rows = []
    for i, (features, target) in enumerate(zip(bunch.data, bunch.target, strict=True)):
        scaled = [f"{float(features[j]):.6f}" for j in indices]
        rows.append([*scaled, _site(i), _decimal(float(target), 1)])
    return header, rows


def _patient_id(prefix: str, index: int) -> str:
    """A stable pseudonymous id: 7919 is prime to 900000, so ids are unique and not in row order."""
    return f"{prefix}-{100000 + (index * 7919) % 900000:06d}"


def _site(index: int) -> str:
    return SITES[(index * 5 + index // 7) % len(SITES)]


def _decimal(value: float, places: int) -> str:
    """Fixed-point text without trailing zeros, keeping one decimal: 17.99, 1001.0, 0.0008948."""
    text = f"{value:.{places}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path
