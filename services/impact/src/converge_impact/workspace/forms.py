"""From the workspace's HTML forms to the API's bodies, and from the API's problems back to
the form's fields.

A form is parsed into the very schema the API takes (``ValueCreate``, ``ValueUpdate``,
``TransitionBody``), so a value entered in the browser passes exactly the checks a ``POST`` or
``PATCH`` would; a problem is shown at the field its JSON pointer names (``/value`` is the
``value`` field), and what does not point at a field is shown above the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from converge_common.errors import (
    FieldError,
    InvalidInput,
    ProblemError,
    field_errors_from_pydantic,
)
from pydantic import BaseModel, ValidationError

from converge_impact.values.schemas import TransitionBody, ValueCreate, ValueUpdate

__all__ = [
    "CREATE_FIELDS",
    "UPDATE_FIELDS",
    "FormState",
    "create_body",
    "message_for",
    "transition_body",
    "update_body",
]

CREATE_FIELDS = ("indicator", "period", "value", "evidence_url", "evidence_note")
UPDATE_FIELDS = ("value", "evidence_url", "evidence_note", "note")
# longest text a field of these forms may carry (the schemas cap each one lower)
MAX_FIELD = 10_000

Model = TypeVar("Model", bound=BaseModel)

# what a person reads for the API's rule names, where pydantic's own message is for developers
_MESSAGES = {
    "required": "Enter a value.",
    "float_parsing": "Enter a number, such as 12 or 12.5 (with a point, not a comma).",
    "finite_number": "Enter a finite number.",
    "greater_than_equal": "The number is too small.",
    "less_than_equal": "The number is too large.",
    "string_too_long": "This text is too long.",
    "unknown_indicator": "Choose an indicator from the list.",
    "duplicate_row": "An earlier row has this indicator and period.",
    "value_exists": "A value is already reported for this indicator and period; correct it.",
    "derived_indicator": "This indicator is derived from the Node's services; it is not entered.",
}
_PATTERN_MESSAGES = {
    "period": "Enter a year (2025), a quarter (2025-Q3) or a month (2025-07).",
    "evidence_url": "Enter a web address starting with https:// or http://.",
    "indicator": "Choose an indicator from the list.",
}


@dataclass
class FormState:
    """A form as the person filled it in, and what is wrong with it."""

    values: dict[str, str] = field(default_factory=dict)
    # field name -> messages; "" for problems about the whole form
    errors: dict[str, list[str]] = field(default_factory=dict)
    status: int = 200

    @property
    def invalid(self) -> bool:
        return bool(self.errors)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    @classmethod
    def of(cls, form: Mapping[str, str], names: tuple[str, ...]) -> FormState:
        return cls(values={n: str(form.get(n, ""))[:MAX_FIELD] for n in names})

    def show(self, problem: ProblemError, *, fields: tuple[str, ...]) -> FormState:
        """The problem's field errors at their fields, the rest above the form."""
        self.status = problem.status
        placed = False
        for error in problem.errors:
            name = error["pointer"].lstrip("/").split("/")[0]
            if name in fields:
                self.add(name, message_for(name, error))
                placed = True
        if not placed:
            self.add("", problem.detail)
        return self


def message_for(name: str, error: FieldError) -> str:
    rule = error["rule"]
    if rule in ("pattern", "string_pattern_mismatch") and name in _PATTERN_MESSAGES:
        return _PATTERN_MESSAGES[name]
    return _MESSAGES.get(rule, error["detail"])


def _parse(model: type[Model], data: dict[str, object]) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = field_errors_from_pydantic(exc.errors())
        raise InvalidInput(f"{len(errors)} field(s) failed validation", errors=errors) from exc


def _text(state: FormState, name: str) -> str | None:
    """An optional text field: empty is absent."""
    return state.values.get(name, "").strip() or None


def _figure(state: FormState) -> str:
    text = state.values.get("value", "").strip()
    if not text:
        raise InvalidInput(
            "The value is missing", errors=[FieldError("/value", "required", "a number")]
        )
    return text


def create_body(state: FormState) -> ValueCreate:
    """``POST /values`` from the new-value form; raises the API's ``InvalidInput``."""
    return _parse(
        ValueCreate,
        {
            "indicator": state.values.get("indicator", "").strip(),
            "period": state.values.get("period", "").strip(),
            "value": _figure(state),
            "evidence_url": _text(state, "evidence_url"),
            "evidence_note": _text(state, "evidence_note"),
        },
    )


def update_body(state: FormState) -> ValueUpdate:
    """``PATCH /values/{id}`` from the correction form: every field of the form is sent (an
    emptied evidence field clears it); the value cannot be emptied."""
    return _parse(
        ValueUpdate,
        {
            "value": _figure(state),
            "evidence_url": _text(state, "evidence_url"),
            "evidence_note": _text(state, "evidence_note"),
            "note": _text(state, "note"),
        },
    )


def transition_body(form: Mapping[str, str]) -> TransitionBody:
    """The note of a submit, validate or return."""
    note = str(form.get("note", ""))[:MAX_FIELD].strip() or None
    return _parse(TransitionBody, {"note": note})
