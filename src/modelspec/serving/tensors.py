"""V2 (Open Inference Protocol) requests as model input: the three tensor shapes a served build accepts.

- One numeric tensor `[n, features]` (FP64, FP32 or an integer type) whose
  columns are the signature's features in order; its name is free.
- One input per feature (named as the signature names it, `[n]` or `[n, 1]`),
  with the request parameter `content_type: "pd"` (MLServer's pandas codec
  decodes it) or without any content type (decoded here, input by input:
  numbers with MLServer's numpy codec, BYTES with its string codec).

Each shape is checked against the signature before the model sees it: a
missing or unknown feature, a string for a numeric feature, tensors of
different lengths or more than MAX_INSTANCES rows are a 4xx `InferenceError`
naming what is wrong (`{"error": ...}`), never a 500.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlserver.codecs import NumpyCodec, PandasCodec, StringCodec
from mlserver.errors import MLServerError

from modelspec.serving.model import ServedModel
from modelspec.serving.protocol import MAX_INSTANCES

if TYPE_CHECKING:
    from mlserver.types import InferenceRequest, RequestInput

__all__ = ["NUMERIC_TYPES", "RequestRefused", "frame_of"]

NUMERIC_TYPES = frozenset(
    {"FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64"}
)


class RequestRefused(MLServerError):  # type: ignore[misc]  # mlserver ships no type hints
    """A V2 request the signature refuses: answered with its status and `{"error": message}`."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message, status)


def frame_of(model: ServedModel, request: InferenceRequest) -> Any:
    """The DataFrame of the signature's features, in order, that a V2 request carries."""
    inputs = list(request.inputs)
    if not inputs:
        raise RequestRefused("the request has no inputs")
    content_type = request.parameters.content_type if request.parameters else None
    if content_type not in (None, PandasCodec.ContentType):
        raise RequestRefused(
            f"request content_type {content_type!r} is not served: use "
            f"{PandasCodec.ContentType!r} (one input per feature) or none"
        )
    names = [i.name for i in inputs]
    if content_type is None and len(inputs) == 1 and not _is_column(model, inputs[0]):
        return _matrix(model, inputs[0])
    if len(set(names)) != len(names):
        raise RequestRefused("the request names an input twice")
    unknown = [n for n in names if n not in model.features]
    missing = [f for f in model.features if f not in names]
    if unknown or missing:
        parts = [f"unknown input {', '.join(unknown)}"] if unknown else []
        parts += [f"missing feature {', '.join(missing)}"] if missing else []
        raise RequestRefused(
            f"{'; '.join(parts)}: send one input per feature ({', '.join(model.features)}) "
            f"or one numeric tensor [n, {len(model.features)}] in that order"
        )
    for item in inputs:
        _check_column(model, item)
    if content_type == PandasCodec.ContentType:
        frame = _decoded(lambda: PandasCodec.decode_request(request))[list(model.features)]
    else:
        frame = _columns(model, inputs)
    for name in model.categorical:  # BYTES arrive as bytes: the model was trained on text
        frame[name] = [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in frame[name]]
    return frame


def _rows(shape: list[int], what: str) -> int:
    if not shape or shape[0] < 1:
        raise RequestRefused(f"{what} has shape {shape}: it needs at least one row")
    if shape[0] > MAX_INSTANCES:
        raise RequestRefused(
            f"{what} has {shape[0]:,} rows; the limit is {MAX_INSTANCES:,} a request: "
            "send them in smaller batches",
            413,
        )
    return shape[0]


def _is_column(model: ServedModel, item: RequestInput) -> bool:
    return item.name in model.features and (len(item.shape) == 1 or item.shape[1:] == [1])


def _matrix(model: ServedModel, item: RequestInput) -> Any:
    import pandas as pd

    width = len(model.features)
    if len(item.shape) != 2 or item.shape[1] != width:
        raise RequestRefused(
            f"input {item.name} has shape {item.shape}; the model takes [n, {width}] "
            f"({', '.join(model.features)}) or one input per feature"
        )
    _rows(item.shape, f"input {item.name}")
    if item.datatype not in NUMERIC_TYPES:
        raise RequestRefused(
            f"input {item.name} is {item.datatype}; a [n, {width}] tensor must be numeric "
            "(FP64): send one input per feature for text features"
        )
    array = _decoded(lambda: NumpyCodec.decode_input(item))
    return pd.DataFrame(array.reshape(item.shape), columns=list(model.features))


def _check_column(model: ServedModel, item: RequestInput) -> None:
    if len(item.shape) > 2 or (len(item.shape) == 2 and item.shape[1] != 1):
        raise RequestRefused(f"input {item.name} has shape {item.shape}; a feature is [n] or [n, 1]")
    _rows(item.shape, f"input {item.name}")
    if item.name in model.numeric and item.datatype not in NUMERIC_TYPES:
        raise RequestRefused(f"input {item.name} is {item.datatype}; the feature is numeric (FP64)")


def _columns(model: ServedModel, inputs: list[RequestInput]) -> Any:
    import pandas as pd

    columns: dict[str, Any] = {}
    for item in inputs:
        if item.datatype == "BYTES":
            values: Any = _decoded(lambda item=item: StringCodec.decode_input(item))
        else:
            values = _decoded(lambda item=item: NumpyCodec.decode_input(item)).reshape(-1)
        columns[item.name] = list(values) if item.datatype == "BYTES" else values
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        raise RequestRefused("the inputs have different numbers of rows")
    return pd.DataFrame(columns)[list(model.features)]


def _decoded(decode: Any) -> Any:
    """What an MLServer codec decodes; data that does not fit its shape or type is a 400."""
    try:
        return decode()
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise RequestRefused(f"the tensor data does not fit its shape and datatype: {exc}") from None
