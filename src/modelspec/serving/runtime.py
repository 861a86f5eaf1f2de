"""The MLServer runtime `modelspec serve` runs: a verified build's model.skops, over V2 and KServe V1 REST.

MLServer instantiates `ModelspecRuntime` from model settings whose
`parameters.uri` is the build folder and whose `parameters.extra` carries the
`BuildRecord` to verify it against (`model`, `build`, `files`: the sha256 of
every file, manifest.json among them), as serving/server.py writes them. `load`
opens the build through registry/verify.py (every file checked before it is
parsed) and rebuilds the estimator from model.skops: model.joblib is checked,
never unpickled. The V2 routes are MLServer's own; `predict` decodes the
tensors with serving/tensors.py. The KServe V1 routes (`GET /`,
`GET /v1/models`, `GET /v1/models/{name}`, `POST /v1/models/{name}:predict`)
are MLServer custom handlers and go through serving/protocol.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from mlserver import MLModel
from mlserver.codecs import NumpyCodec, StringCodec
from mlserver.errors import MLServerError
from mlserver.handlers import custom_handler
from mlserver.types import InferenceRequest, InferenceResponse, MetadataTensor, ResponseOutput
from starlette.responses import Response

from modelspec.serving.model import Overflow, ServedModel, predict_frame, served_model
from modelspec.serving.protocol import ApiError, decode, encode, error_body, predict
from modelspec.serving.tensors import RequestRefused, frame_of

__all__ = ["OUTPUTS", "ModelspecRuntime", "record_extra"]

OUTPUTS = ("predict", "predict_proba")  # what a V2 request may ask for; `predict` by default


def record_extra(model: str, build: str, files: dict[str, str]) -> dict[str, Any]:
    """The model settings' `parameters.extra` that tell the runtime what to verify the build against."""
    return {"modelspec_model": model, "modelspec_build": build, "modelspec_files": dict(files)}


class ModelspecRuntime(MLModel):  # type: ignore[misc]  # mlserver ships no type hints
    """One verified build, answering V2 inference and the KServe V1 routes under the served name."""

    _served: ServedModel

    async def load(self) -> bool:
        from modelspec.registry.verify import BuildRecord, open_build

        parameters = self.settings.parameters
        extra = dict(parameters.extra or {}) if parameters else {}
        uri = parameters.uri if parameters else None
        if not uri or not isinstance(extra.get("modelspec_files"), dict):
            raise MLServerError("the model settings name no build and no record to verify it by")
        record = BuildRecord(
            str(extra["modelspec_model"]), str(extra["modelspec_build"]), extra["modelspec_files"]
        )
        self._served = served_model(open_build(Path(uri), record))
        numeric = set(self._served.numeric)
        self.inputs = [
            MetadataTensor(
                name=name, datatype="FP64" if name in numeric else "BYTES", shape=[-1, 1]
            )
            for name in self._served.features
        ]
        self.outputs = [MetadataTensor(name="predict", datatype=self._output_type(), shape=[-1, 1])]
        return True

    def _output_type(self) -> str:
        classes = self._served.signature.get("classes")
        if isinstance(classes, list) and classes:
            if all(isinstance(c, bool) for c in classes):
                return "BOOL"
            if all(isinstance(c, int) for c in classes):
                return "INT64"
            return "BYTES"
        return "FP64"

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        wanted = [o.name for o in payload.outputs] if payload.outputs else ["predict"]
        unknown = [name for name in wanted if name not in OUTPUTS]
        if unknown:
            raise RequestRefused(f"unknown output {', '.join(unknown)}: ask for {' or '.join(OUTPUTS)}")
        if "predict_proba" in wanted and not self._served.has_probabilities:
            raise RequestRefused("the model has no predict_proba (it is not a classifier)")
        frame = frame_of(self._served, payload)
        try:
            answer = predict_frame(self._served, frame, probabilities="predict_proba" in wanted)
        except Overflow as exc:
            raise RequestRefused(str(exc)) from None
        except Exception as exc:  # the model failed on checked input: a server fault, not a crash
            raise MLServerError(f"prediction failed: {type(exc).__name__}", 500) from exc
        return InferenceResponse(
            model_name=self.name,
            model_version=self.version,
            outputs=[_output(name, answer[name]) for name in wanted],
        )

    # --- KServe V1 (the protocol KServe's sklearn server speaks), as MLServer custom handlers ---

    @custom_handler(rest_path="/", rest_method="GET")  # type: ignore[untyped-decorator]
    async def v1_live(self) -> Response:
        return _json(200, {"status": "alive"})

    @custom_handler(rest_path="/v1/models", rest_method="GET")  # type: ignore[untyped-decorator]
    async def v1_models(self) -> Response:
        return _json(200, {"models": [self.name]})

    @custom_handler(rest_path="/v1/models/{model_name}", rest_method="GET")  # type: ignore[untyped-decorator]
    async def v1_model(self, model_name: str) -> Response:
        if model_name != self.name:
            return self._no_such_model(model_name)
        return _json(
            200,
            {
                "name": self.name,
                "ready": self.ready,
                "build": self._served.build,
                "signature": self._served.signature,
            },
        )

    @custom_handler(rest_path="/v1/models/{model_name}:predict", rest_method="POST")  # type: ignore[untyped-decorator]
    async def v1_predict(self, model_name: str, request: Request) -> Response:
        if model_name != self.name:
            return self._no_such_model(model_name)
        body = await request.body()
        try:
            return _json(200, predict(self._served, decode(self._served, body)))
        except ApiError as exc:
            return _json(exc.status, error_body(exc.message))
        except Exception as exc:  # the model failed on checked input: a server fault
            return _json(500, error_body(f"prediction failed: {type(exc).__name__}"))

    def _no_such_model(self, name: str) -> Response:
        return _json(404, error_body(f"model {name} is not served here; this server serves {self.name}"))


def _json(status: int, payload: Any) -> Response:
    try:
        body = encode(payload)
    except (TypeError, ValueError) as exc:  # a model output JSON cannot carry
        status, body = 500, encode(error_body(f"prediction failed: the answer is not JSON: {exc}"))
    return Response(body, status_code=status, media_type="application/json")


def _output(name: str, values: Any) -> ResponseOutput:
    if values.dtype.kind in "OUS":  # text class labels
        return StringCodec.encode_output(name, [str(v) for v in values.tolist()], use_bytes=False)
    return NumpyCodec.encode_output(name, values)
