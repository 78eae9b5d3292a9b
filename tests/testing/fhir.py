"""FHIR resources as a receiving system checks them: valid R4 (the R4B models of
``fhir.resources``), and compared without the times they were made."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class

#: The fields that hold the time the resources were made: all that differs from one day to
#: the next for the same answers.
TIMES = ("authored", "timestamp", "effectiveDateTime", "issued")


def valid(resource: dict[str, Any]) -> None:
    """``resource`` passes the R4B model of its type, and so does each resource in a Bundle."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    for entry in resource.get("entry", ()):
        valid(entry["resource"])


def without_times(resource: Any) -> Any:
    """``resource`` without :data:`TIMES`, at any depth."""
    if isinstance(resource, dict):
        return {k: without_times(v) for k, v in resource.items() if k not in TIMES}
    if isinstance(resource, list):
        return [without_times(v) for v in resource]
    return resource
