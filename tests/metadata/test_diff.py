"""The field-by-field diff of two record versions (no database)."""

from __future__ import annotations

from converge_metadata.records.diff import (
    MAX_WORDS,
    Change,
    Segment,
    diff_documents,
    word_diff,
)

BASE = {
    "type": "Dataset",
    "title": {"en": "Mouse brain atlas", "de": "Mausgehirnatlas"},
    "keywords": ["brain", "single-cell"],
    "creators": [
        {"name": "Josiah Carberry", "orcid": "0000-0002-1825-0097"},
        {"name": "Ada Lovelace"},
    ],
    "license": "CC-BY-4.0",
}


def changed(**fields: object) -> dict[str, object]:
    return {**BASE, **fields}


class TestFields:
    def test_equal_documents_have_no_changes(self) -> None:
        assert diff_documents(BASE, dict(BASE)) == []

    def test_scalar_changed_added_and_removed(self) -> None:
        new = {k: v for k, v in BASE.items() if k != "license"} | {"issued": "2024-01-01"}
        changes = diff_documents(BASE, new)
        assert Change(("license",), "removed", before="CC-BY-4.0") in changes
        assert Change(("issued",), "added", after="2024-01-01") in changes
        assert len(changes) == 2

    def test_each_language_of_a_text_is_its_own_change(self) -> None:
        new = changed(title={"en": "Mouse brain atlas", "fi": "Hiiren aivokartasto"})
        assert diff_documents(BASE, new) == [
            Change(("title", "de"), "removed", before="Mausgehirnatlas"),
            Change(("title", "fi"), "added", after="Hiiren aivokartasto"),
        ]

    def test_a_deletion_removes_every_field(self) -> None:
        changes = diff_documents(BASE, None)
        assert {c.path[0] for c in changes} == set(BASE)
        assert all(c.kind == "removed" for c in changes)
        assert diff_documents(None, BASE)[0].kind == "added"


class TestLists:
    def test_an_inserted_item_is_one_addition_not_every_later_item_changed(self) -> None:
        creators = [{"name": "Grace Hopper"}, *BASE["creators"]]  # type: ignore[list-item]
        assert diff_documents(BASE, changed(creators=creators)) == [
            Change(("creators", 1), "added", after="Grace Hopper"),
        ]

    def test_an_item_changed_in_place_is_compared_member_by_member(self) -> None:
        creators = [
            {"name": "Josiah Carberry", "orcid": "0000-0001-5109-3700"},
            {"name": "Ada Lovelace"},
        ]
        assert diff_documents(BASE, changed(creators=creators)) == [
            Change(
                ("creators", 1, "orcid"),
                "changed",
                before="0000-0002-1825-0097",
                after="0000-0001-5109-3700",
            )
        ]

    def test_keywords_removed_and_added(self) -> None:
        changes = diff_documents(BASE, changed(keywords=["brain", "atlas", "mouse"]))
        kinds = [(c.kind, c.before or c.after) for c in changes]
        assert ("removed", "single-cell") in kinds
        assert ("added", "atlas") in kinds
        assert ("added", "mouse") in kinds

    def test_a_removed_term_is_named_by_its_label(self) -> None:
        old = changed(
            topics=[{"uri": "http://edamontology.org/topic_3308", "label": "Transcriptomics"}]
        )
        changes = diff_documents(old, BASE)
        assert changes[0].kind == "removed"
        assert changes[0].before is not None
        assert changes[0].before.startswith("Transcriptomics (uri: http://edamontology.org/")


class TestWords:
    def test_long_texts_get_a_word_diff(self) -> None:
        old = "Single-cell expression of the adult mouse brain, measured in 2019 across regions."
        new = "Single-cell expression of the adult mouse heart, measured in 2019 across regions."
        (change,) = diff_documents(
            changed(description={"en": old}), changed(description={"en": new})
        )
        assert change.path == ("description", "en")
        assert Segment("removed", "brain") in change.words
        assert Segment("added", "heart") in change.words
        # the unchanged words around the change are kept as they were
        assert "".join(s.text for s in change.words if s.kind != "added") == old
        assert "".join(s.text for s in change.words if s.kind != "removed") == new

    def test_short_texts_have_no_word_diff(self) -> None:
        (change,) = diff_documents(BASE, changed(license="MIT"))
        assert change.words == ()

    def test_markup_is_kept_as_text(self) -> None:
        segments = word_diff("a <b>bold</b> claim", "a <script>x</script> claim")
        assert Segment("added", "script") in segments
        assert "".join(s.text for s in segments if s.kind != "removed") == (
            "a <script>x</script> claim"
        )

    def test_texts_too_long_to_align_are_one_removal_and_one_addition(self) -> None:
        old = "word " * (MAX_WORDS + 1)
        new = old + "more"
        assert word_diff(old, new) == (Segment("removed", old), Segment("added", new))
