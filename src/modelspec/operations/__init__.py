"""One operation per command: data in, values and diagnostics out; no printing, no click."""
