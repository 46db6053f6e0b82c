"""The form <-> API mapping: a form becomes the API's own body, a problem goes to its field."""

from __future__ import annotations

import pytest
from converge_common.errors import Conflict, FieldError, InvalidInput
from converge_impact.workspace.forms import (
    CREATE_FIELDS,
    UPDATE_FIELDS,
    FormState,
    create_body,
    update_body,
)


def _state(names: tuple[str, ...], **values: str) -> FormState:
    return FormState.of(values, names)


class TestCreateBody:
    def test_the_api_schema_with_empty_optionals_absent(self) -> None:
        body = create_body(
            _state(CREATE_FIELDS, indicator="staff.fte", period=" 2025-Q3 ", value="12.5")
        )
        assert body.model_dump() == {
            "indicator": "staff.fte",
            "period": "2025-Q3",
            "value": 12.5,
            "evidence_url": None,
            "evidence_note": None,
        }

    def test_every_bad_field_is_named_with_the_apis_pointer(self) -> None:
        state = _state(
            CREATE_FIELDS, indicator="staff.fte", period="2025-13", value="lots", evidence_url="x"
        )
        with pytest.raises(InvalidInput) as caught:
            create_body(state)
        assert {e["pointer"] for e in caught.value.errors} == {
            "/period",
            "/value",
            "/evidence_url",
        }
        state.show(caught.value, fields=CREATE_FIELDS)
        assert state.status == 422
        assert set(state.errors) == {"period", "value", "evidence_url"}
        assert state.errors["period"] == [
            "Enter a year (2025), a quarter (2025-Q3) or a month (2025-07)."
        ]

    def test_an_empty_value_is_required_not_a_parse_error(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            create_body(_state(CREATE_FIELDS, indicator="staff.fte", period="2025", value=" "))
        assert caught.value.errors == [FieldError("/value", "required", "a number")]


class TestUpdateBody:
    def test_emptied_evidence_is_cleared_and_the_note_kept(self) -> None:
        body = update_body(_state(UPDATE_FIELDS, value="3", evidence_url="", note="recount"))
        assert body.model_dump(exclude_unset=True) == {
            "value": 3.0,
            "evidence_url": None,
            "evidence_note": None,
            "note": "recount",
        }


class TestShow:
    def test_a_problem_without_a_field_goes_above_the_form(self) -> None:
        state = FormState().show(Conflict("staff.fte already has a value"), fields=CREATE_FIELDS)
        assert state.status == 409
        assert state.errors == {"": ["staff.fte already has a value"]}

    def test_fields_are_cut_to_a_bounded_length(self) -> None:
        state = FormState.of({"evidence_note": "x" * 50_000}, CREATE_FIELDS)
        assert len(state.values["evidence_note"]) == 10_000
        assert state.values["indicator"] == ""
