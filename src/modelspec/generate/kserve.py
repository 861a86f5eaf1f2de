"""KServe InferenceService (serving.kserve.io/v1beta1) for an online Deployment on a kserve Target.

Mapping from the Deployment spec:

- replicas -> predictor.minReplicas / maxReplicas; autoscaling.metric is
  KServe's own scaleMetric enum (rps, concurrency, cpu) and autoscaling.target
  its scaleTarget. Without autoscaling KServe's defaults apply.
- Deployment mode (annotation `serving.kserve.io/deploymentMode`): CPU-scaled
  direct rollouts run as `RawDeployment` (a plain Deployment and HPA);
  everything else as `Serverless`, which request-based scaling and traffic
  splitting need.
- rollout canary -> predictor.canaryTrafficPercent = canary_percent.
- rollout shadow -> a dark launch: canaryTrafficPercent 0 with
  `serving.kserve.io/enable-tag-routing: "true"`, so the new revision is
  running and reachable at its `latest-` tagged URL while the previous one
  keeps all live traffic. KServe has no request mirroring; sending a copy of
  traffic to that URL is the mesh's job, not modelspec's.
- The model is served by KServe's own sklearn runtime (`kserve-sklearnserver`,
  image tag `runtimeVersion`) over the V2 (Open Inference) protocol, which that
  runtime speaks beside V1, from `storageUri: <registry_uri>/<model>/<build>`:
  the exact build apply deployed, so a new build or a rollback changes the
  manifest and plan shows it. The folder holds one `model.joblib`, the file
  that runtime loads (registry/runtime_files.py). The build's manifest digest
  and the scikit-learn version it was trained with are annotations; see
  docs/serving.md for the training/runtime version pairs that were tested.
"""

from __future__ import annotations

from typing import Any

from modelspec.generate.common import Artifact, yaml_artifact
from modelspec.generate.views import ServingView

__all__ = ["KSERVE_RUNTIME", "KSERVE_RUNTIME_VERSION", "inference_service", "render_kserve"]

KSERVE_RUNTIME = "kserve-sklearnserver"  # KServe's ClusterServingRuntime for scikit-learn
# the sklearnserver image of KServe 0.21.0 (scikit-learn 1.5.2); tested with builds trained on
# scikit-learn 1.9.1 (tests/serving/test_real_runtimes.py)
KSERVE_RUNTIME_VERSION = "v0.21.0"


def _deployment_mode(view: ServingView) -> str:
    if view.scale_metric == "cpu" and view.strategy == "direct":
        return "RawDeployment"
    return "Serverless"


def inference_service(view: ServingView) -> dict[str, Any]:
    annotations = dict(view.annotations)
    annotations["serving.kserve.io/deploymentMode"] = _deployment_mode(view)
    annotations["modelspec.dev/rollout-strategy"] = view.strategy
    annotations["modelspec.dev/model-build"] = str(view.build)
    if view.build_digest:
        annotations["modelspec.dev/model-build-digest"] = view.build_digest
    if view.sklearn_version:
        annotations["modelspec.dev/trained-with"] = f"scikit-learn {view.sklearn_version}"
    predictor: dict[str, Any] = {
        "minReplicas": view.min_replicas,
        "maxReplicas": view.max_replicas,
        "model": {
            "modelFormat": {"name": "sklearn", "version": "1"},
            "protocolVersion": "v2",
            "runtime": KSERVE_RUNTIME,
            "runtimeVersion": KSERVE_RUNTIME_VERSION,
            "storageUri": view.model_uri,
        },
    }
    if view.resources:
        predictor["model"]["resources"] = view.resources
    if view.scale_metric is not None:
        predictor["scaleMetric"] = view.scale_metric
    if view.scale_target is not None:
        predictor["scaleTarget"] = view.scale_target
    if view.strategy == "canary":
        predictor["canaryTrafficPercent"] = view.canary_percent
    elif view.strategy == "shadow":
        predictor["canaryTrafficPercent"] = 0
        annotations["serving.kserve.io/enable-tag-routing"] = "true"
    metadata: dict[str, Any] = {
        "name": view.name,
        "labels": view.labels,
        "annotations": annotations,
    }
    if view.namespace:
        metadata["namespace"] = view.namespace
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": metadata,
        "spec": {"predictor": predictor},
    }


def render_kserve(view: ServingView) -> list[Artifact]:
    return [
        yaml_artifact(f"deployments/{view.name}/inferenceservice.yaml", inference_service(view))
    ]
