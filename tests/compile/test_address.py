"""Address: the text form `<kind lowercase>.<name>` round-trips, also for a mistyped prefix."""

from __future__ import annotations

from modelspec.compile.address import Address
from modelspec.compile.graph import address_of


def test_an_address_formats_as_the_lowercase_kind_and_the_name() -> None:
    address = Address.of("DataContract", "churn")
    assert str(address) == "datacontract.churn" == address_of("DataContract", "churn")
    assert address.kind == "DataContract"
    assert address.prefix == "datacontract"
    assert address.name == "churn"


def test_parse_and_str_round_trip_exactly() -> None:
    for text in ("model.churn-model", "deployment.a.b", "Model.x", "modle.x", "nodot"):
        assert str(Address.parse(text)) == text or text == "nodot"
    assert Address.parse("deployment.a.b") == Address("deployment", "a.b")
    assert Address.parse("model.churn") == Address.of("Model", "churn")


def test_an_unknown_prefix_names_no_kind() -> None:
    assert Address.parse("modle.x").kind is None
    assert Address.parse("Model.x").kind is None  # addresses spell kinds in lowercase
    assert Address.parse("nodot") == Address("nodot", "")
