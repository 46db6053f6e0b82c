"""The record form's mapping: form fields <-> the API's record JSON, the API's JSON pointers ->
the form's fields, the ORCID check, and the FAIR assessment of an unsaved form. Pure
functions over the shipped vocabularies: no database, no app."""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest
from converge_common.errors import InvalidInput
from converge_metadata.publishing.context import PublicationContext
from converge_metadata.records.editing import validated_content
from converge_metadata.records.fields import orcid_checksum_ok
from converge_metadata.records.schemas import RecordBase
from converge_metadata.terms.index import TermIndex, term_index
from converge_metadata.vocab import Vocabularies
from converge_metadata.workspace.form_fields import (
    RECORD_FORM,
    Field,
    Group,
    Repeat,
    field_id,
    label_for,
)
from converge_metadata.workspace.forms import (
    MAX_ROWS,
    FormState,
    Mapped,
    Resolver,
    document_from_state,
    state_from_form,
    state_from_record,
    term_resolver,
)
from converge_metadata.workspace.record_forms import assess_state, problems_for, side_by_side
from pydantic import BaseModel

from tests.metadata.conftest import dataset


@pytest.fixture(scope="module")
def index(vocab: Vocabularies) -> TermIndex:
    return term_index(vocab)


@pytest.fixture(scope="module")
def resolve(index: TermIndex) -> Resolver:
    return term_resolver(index)


def stored(body: dict[str, Any], vocab: Vocabularies) -> dict[str, Any]:
    """``body`` as the service stores it (normalised), without the id."""
    content = validated_content({k: v for k, v in body.items() if k != "id"}, vocab)
    return content.model_dump(mode="json", exclude_none=True)


def software() -> dict[str, Any]:
    return {
        "type": "Software",
        "status": "draft",
        "title": {"en": "Aligner"},
        "topics": ["topic_0080"],
        "contributors": [{"name": "Ada", "role": "DataCurator"}],
        "publisher": {"name": "ELIXIR DE", "ror": "https://ror.org/044rwnt51"},
        "software": {
            "operations": ["operation_0292"],
            "input_formats": ["format_1930"],
            "output_formats": ["format_2572"],
            "code_repository": "https://github.com/example/aligner",
            "biotools_id": "aligner",
            "software_version": "2.1",
        },
        "publications": [{"doi": "10.1093/nar/gkab1234", "title": "Aligner"}],
        "funding": [{"funder": "EC", "award_number": "871075"}],
        "rights": [{"text": "Free for academic use", "language": "en"}],
        "languages": ["en", "de"],
    }


def course() -> dict[str, Any]:
    return {
        "type": "CourseInstance",
        "status": "published",
        "title": {"en": "Proteomics hands-on", "pt": "Proteómica prática"},
        "description": {"pt": "Um curso."},
        "training": {
            "audience": ["PhD students", "Postdocs"],
            "level": "intermediate",
            "learning_outcomes": ["Run MaxQuant"],
        },
        "course": {
            "start_date": "2026-03-02",
            "end_date": "2026-03-04",
            "online": True,
            "location": {"name": "Campus", "country": "PT"},
            "capacity": 20,
        },
    }


def controlled() -> dict[str, Any]:
    return dataset(
        access={
            "level": "controlled",
            "dac": {"name": "DAC", "email": "dac@example.org"},
            "data_use": ["DUO:0000042", "DUO:0000006"],
        }
    )


def embargoed() -> dict[str, Any]:
    return dataset(access={"level": "embargoed", "embargo_until": "2030-01-01"})


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``X``, ``X | None`` or ``list[X]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def _mirrors(group: Group, model: type[BaseModel], where: str) -> list[str]:
    """Where ``group`` and ``model`` differ: members one has and the other has not."""
    keys = {m.key for m in group.members}
    wanted = set(model.model_fields)
    if model is RecordBase:
        wanted -= {"type", "status", "title", "description"}  # drawn apart from the nodes
    gaps = [f"{where}/{k} (not in the form)" for k in wanted - keys]
    gaps += [f"{where}/{k} (not in the schema)" for k in keys - wanted]
    for member in group.members:
        if member.key not in model.model_fields:
            continue
        inner = _model_of(model.model_fields[member.key].annotation)
        node = member.item if isinstance(member, Repeat) else member
        if inner is not None and isinstance(node, Group):
            gaps += _mirrors(node, inner, f"{where}/{member.key}")
        elif inner is not None and isinstance(node, Field) and node.kind not in ("term", "duo"):
            gaps.append(f"{where}/{member.key} (an object drawn as one field)")
    return gaps


class TestTheFormMirrorsTheSchema:
    def test_every_member_of_every_model_has_its_field(self) -> None:
        assert _mirrors(RECORD_FORM, RecordBase, "") == []


RECORDS = {
    "dataset": dataset,
    "software": software,
    "course": course,
    "controlled": controlled,
    "embargoed": embargoed,
}


class TestRoundTrip:
    @pytest.mark.parametrize("name", list(RECORDS))
    def test_a_stored_record_comes_back_from_its_form_unchanged(
        self, name: str, vocab: Vocabularies, resolve: Resolver
    ) -> None:
        before = stored(RECORDS[name](), vocab)
        state = state_from_record(before)
        # as the browser sends it back: every field a pair
        sent = state_from_form(state.record_type, state.pairs())
        mapped = document_from_state(sent, resolve=resolve, status=before["status"])
        assert stored(mapped.document, vocab) == before

    def test_terms_are_shown_with_label_and_id(self, vocab: Vocabularies) -> None:
        state = state_from_record(stored(dataset(), vocab))
        assert state.value("/topics/0") == "Transcriptomics (topic_3308)"
        assert state.value("/dataset/organisms/0") == "Mus musculus (10090)"
        assert state.value("/creators/0/orcid") == "https://orcid.org/0000-0002-1825-0097"

    def test_blank_rows_fields_and_groups_are_left_out(self, resolve: Resolver) -> None:
        state = state_from_form(
            "Dataset",
            [
                ("rows:/texts", "2"),
                ("/texts/0/lang", "en"),
                ("/texts/0/title", "  Atlas "),
                ("/texts/1/lang", "de"),
                ("rows:/creators", "3"),
                ("/creators/0/type", "Person"),
                ("/creators/1/type", "Person"),
                ("/creators/1/name", "Ada"),
                ("/publisher/name", ""),
                ("/access/level", "public"),
                ("/keywords", "one\n\n two \n"),
                ("/software/biotools_id", "not-a-dataset-part"),
            ],
        )
        document = document_from_state(state, resolve=lambda _v, t: t, status="draft").document
        assert document == {
            "type": "Dataset",
            "status": "draft",
            "title": {"en": "Atlas"},
            "keywords": ["one", "two"],
            # a row with nothing but its kind chosen is a row nobody filled in
            "creators": [{"type": "Person", "name": "Ada"}],
            "access": {"level": "public"},
        }


class TestTermPickers:
    @pytest.mark.parametrize(
        ("vocabulary", "typed", "found"),
        [
            ("edam_topic", "topic_0121", "topic_0121"),
            ("edam_topic", "Proteomics", "topic_0121"),
            ("edam_topic", "quantitative PROTEOMICS", "topic_0121"),  # a synonym
            ("edam_topic", "Proteomics (topic_0121)", "topic_0121"),
            ("ncbi_taxonomy", "Homo sapiens", "9606"),
            ("ncbi_taxonomy", "human", "9606"),
            ("ncbi_taxonomy", "9606", "9606"),
            ("edam_topic", "no such topic", "no such topic"),
        ],
    )
    def test_an_id_label_or_synonym_names_the_term(
        self, resolve: Resolver, vocabulary: str, typed: str, found: str
    ) -> None:
        assert resolve(vocabulary, typed) == found

    def test_an_unknown_term_is_refused_at_its_field(
        self, vocab: Vocabularies, resolve: Resolver
    ) -> None:
        state = state_from_form(
            "Dataset",
            [
                ("/texts/0/title", "Atlas"),
                ("rows:/topics", "2"),
                ("/topics/0", ""),
                ("/topics/1", "Mousology"),
            ],
        )
        problems = _problems(state, vocab, resolve)
        assert [(p.rule, p.pointer, p.path) for p in problems] == [
            ("edam_term", "/topics/0", "/topics/1")
        ]


def _problems(state: FormState, vocab: Vocabularies, resolve: Resolver) -> list[Any]:
    mapped = document_from_state(state, resolve=resolve, status="draft")
    with pytest.raises(InvalidInput) as refused:
        validated_content(mapped.document, vocab)
    return problems_for(refused.value.errors, mapped)


class TestPointersFindTheirFields:
    def test_a_problem_in_a_later_row_points_at_that_row(
        self, vocab: Vocabularies, resolve: Resolver
    ) -> None:
        state = state_from_form(
            "Dataset",
            [
                ("/texts/0/title", "Atlas"),
                ("rows:/creators", "3"),
                ("/creators/1/name", "Josiah Carberry"),
                ("/creators/1/orcid", "0000-0002-1825-0098"),
                ("/creators/2/name", "Ada"),
                ("/creators/2/orcid", "https://orcid.org/0000-0002-1825-0097"),
            ],
        )
        problems = _problems(state, vocab, resolve)
        assert [(p.rule, p.pointer, p.path, p.anchor) for p in problems] == [
            ("orcid_checksum", "/creators/0/orcid", "/creators/1/orcid", "f-creators-1-orcid")
        ]

    def test_title_problems_point_at_the_language_row(
        self, vocab: Vocabularies, resolve: Resolver
    ) -> None:
        missing = state_from_form("Dataset", [("/texts/0/lang", "en")])
        assert [(p.rule, p.path) for p in _problems(missing, vocab, resolve)] == [
            ("min_items", "/texts/0/title")
        ]
        bad_tag = state_from_form(
            "Dataset",
            [
                ("rows:/texts", "2"),
                ("/texts/0/title", "Atlas"),
                ("/texts/1/lang", "not a tag"),
                ("/texts/1/title", "Atlas?"),
            ],
        )
        assert [(p.rule, p.path) for p in _problems(bad_tag, vocab, resolve)] == [
            ("language_tag", "/texts/1/title")
        ]

    def test_a_rule_of_a_group_points_at_its_fieldset(
        self, vocab: Vocabularies, resolve: Resolver
    ) -> None:
        state = state_from_form(
            "Dataset",
            [("/texts/0/title", "Atlas"), ("/access/level", "embargoed")],
        )
        problems = _problems(state, vocab, resolve)
        assert [(p.rule, p.pointer, p.path) for p in problems] == [
            ("embargo_date", "/access", "/access")
        ]
        assert label_for("/access") == "Access"

    def test_a_course_without_its_part_points_at_the_course_fieldset(
        self, vocab: Vocabularies, resolve: Resolver
    ) -> None:
        state = state_from_form("CourseInstance", [("/texts/0/title", "Course")])
        problems = _problems(state, vocab, resolve)
        assert [(p.rule, p.pointer, p.path) for p in problems] == [
            ("required", "/course", "/course")
        ]

    def test_the_nearest_field_the_form_has(self) -> None:
        mapped = Mapped({}, {"/course": "/course", "/course/start_date": "/course/start_date"})
        assert mapped.field_for("/course/start_date/date") == "/course/start_date"
        assert mapped.field_for("/course/end_date") == "/course"
        assert mapped.field_for("/id") is None

    @pytest.mark.parametrize(
        ("path", "label"),
        [
            ("/creators/0/orcid", "Creator 1: ORCID iD"),
            ("/texts/1/title", "Language 2: Title"),
            ("/dataset/distributions/1/format", "Dataset: Distribution 2: Format (EDAM)"),
            ("/topics/2", "Topic 3"),
        ],
    )
    def test_labels_name_the_row(self, path: str, label: str) -> None:
        assert label_for(path) == label
        assert field_id(path) == "f" + path.replace("/", "-")


class TestOrcidCheck:
    @pytest.mark.parametrize(
        ("orcid", "ok"),
        [
            ("0000000218250097", True),
            ("000000021694233X", True),  # the check digit 10 is written X
            ("0000000218250098", False),
            ("000000021694233X".replace("X", "0"), False),
        ],
    )
    def test_iso_7064_mod_11_2(self, orcid: str, ok: bool) -> None:
        assert orcid_checksum_ok(orcid) is ok


class TestRows:
    def test_removing_a_row_moves_the_rows_below_up(self) -> None:
        state = state_from_form(
            "Dataset",
            [
                ("rows:/creators", "3"),
                ("/creators/0/name", "A"),
                ("/creators/1/name", "B"),
                ("/creators/2/name", "C"),
                ("/creators/2/orcid", "x"),
            ],
        )
        state.remove_row("/creators/1")
        assert state.rows["/creators"] == 2
        assert state.value("/creators/0/name") == "A"
        assert state.value("/creators/1/name") == "C"
        assert state.value("/creators/1/orcid") == "x"
        assert state.value("/creators/2/name") == ""

    def test_adding_rows_is_bounded_and_only_to_repeated_groups(self) -> None:
        state = FormState("Dataset")
        state.add_row("/dataset/distributions")
        assert state.rows["/dataset/distributions"] == 2
        state.add_row("/publisher")
        state.add_row("/no/such/thing")
        assert "/publisher" not in state.rows
        assert "/no/such/thing" not in state.rows
        state.rows["/creators"] = MAX_ROWS
        state.add_row("/creators")
        assert state.rows["/creators"] == MAX_ROWS

    def test_what_a_browser_sends_is_bounded(self) -> None:
        state = state_from_form(
            "Dataset",
            [("rows:/creators", "100000"), ("csrf_token", "t"), ("/x", "y" * 100_000)],
        )
        assert state.rows == {"/creators": MAX_ROWS}
        assert list(state.values) == ["/x"]
        assert len(state.value("/x")) == 20_000


class TestConflictColumns:
    def test_every_value_once_and_what_differs_marked(self, vocab: Vocabularies) -> None:
        mine = stored(dataset(keywords=["brain"], license="MIT"), vocab)
        theirs = stored(dataset(), vocab)
        rows = {row.pointer: row for row in side_by_side(mine, theirs)}
        assert rows["/license"].differs
        assert rows["/license"].label == "Licence (SPDX)"
        assert rows["/license"].mine == "MIT"
        assert rows["/license"].stored == "CC-BY-4.0"
        assert rows["/keywords/1"].mine is None
        assert rows["/keywords/1"].stored == "brain"
        assert not rows["/title/en"].differs
        assert rows["/title/en"].label == "Title (en)"
        assert rows["/topics/0"].mine == "Transcriptomics (topic_3308)"
        assert sum(row.differs for row in rows.values()) == 3  # licence, keywords 0 and 1


class TestUnsavedAssessment:
    CONTEXT = PublicationContext(
        base_url="https://node.example.org",
        node_id="de",
        node_name="DE",
        repository_id="r.example.org",
        admin_email="a@example.org",
    )

    def test_the_form_is_assessed_as_it_would_be_stored(
        self, vocab: Vocabularies, index: TermIndex
    ) -> None:
        long = "Single-cell expression of the adult mouse brain, " * 3
        state = state_from_record(stored(dataset(description={"en": long}), vocab))
        full = assess_state(
            state,
            record_id=None,
            status="published",
            vocab=vocab,
            index=index,
            context=self.CONTEXT,
        )
        assert full.problems == 0
        assert full.fair.passed == full.fair.total
        # take the organism away and break the ORCID: the vocabularies metric fails, the
        # qualified references metric fails (the refused ORCID does not count)
        state.values["/dataset/organisms/0"] = [""]
        state.values["/creators/0/orcid"] = ["0000-0002-1825-0098"]
        state.values["/identifiers/0/value"] = ["not a doi"]
        partial = assess_state(
            state, record_id="x", status="draft", vocab=vocab, index=index, context=self.CONTEXT
        )
        failed = {m.id for m in partial.fair.metrics if not m.passed}
        assert partial.problems == 2
        assert failed == {"FsF-F1-02MD", "FsF-F4-01M", "FsF-I2-01M", "FsF-I3-01M"}
