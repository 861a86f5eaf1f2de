"""What apply records for a deployment it deployed, for render tests: the build its manifests name."""

from __future__ import annotations

DEPLOYED = {
    "model_build": "2.1.0+3",
    "model_build_digest": "sha256:" + "ab" * 32,
    "model_version": "2.1.0",
    "sklearn_version": "1.9.1",
}
