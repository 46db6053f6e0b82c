"""Mapping each format to records, on the real sample files (no database)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from converge_metadata.importers import datacite
from converge_metadata.importers.bioschemas import parse_bioschemas
from converge_metadata.importers.biotools import parse_biotools
from converge_metadata.importers.common import MappingContext, SourceItem
from converge_metadata.importers.datacite import MAX_RESOURCE_BYTES, map_resource, parse_datacite
from converge_metadata.importers.jsonl import parse_jsonl
from converge_metadata.importers.parsers import guess_format
from converge_metadata.importers.schemas import ImportFormat

from tests.metadata.importers.conftest import BIOTOOLS, DATA, DATACITE, DEEP_ARRAY, DEEP_OBJECT


def _one(items: list[SourceItem]) -> SourceItem:
    assert len(items) == 1
    return items[0]


def _file(path: Path, parser: object, ctx: MappingContext) -> list[SourceItem]:
    with path.open("rb") as handle:
        return list(parser(handle, path.name, ctx))  # type: ignore[operator]


def _bytes(data: bytes, parser: object, ctx: MappingContext) -> list[SourceItem]:
    return list(parser(io.BytesIO(data), "body", ctx))  # type: ignore[operator]


class TestBiotools:
    def test_tool_fields(self, ctx: MappingContext) -> None:
        path = DATA / "biotools" / "data" / "3d-gnome" / "3d-gnome.biotools.json"
        item = _one(_file(path, parse_biotools, ctx))
        record = item.record
        assert record is not None
        assert record["id"] == "3d-gnome"
        assert record["type"] == "Software"
        assert record["identifiers"] == [{"scheme": "biotools", "value": "3d-gnome"}]
        assert record["software"]["biotools_id"] == "3d-gnome"
        assert record["software"]["software_version"] == "2.0"
        assert "http://edamontology.org/operation_0570" in record["software"]["operations"]
        assert "http://edamontology.org/topic_3940" in record["topics"]
        assert record["publications"] == [{"doi": "10.1093/NAR/GKAA388", "pmid": "32442297"}]
        assert record["creators"] == [{"type": "Person", "name": "Dariusz Plewczynski"}]
        assert record["keywords"] == ["Web application"]
        assert record["landing_page"] == "https://3dgnome.cent.uw.edu.pl/"

    def test_non_spdx_licence_is_kept_as_a_rights_statement(self, ctx: MappingContext) -> None:
        tool = {"biotoolsID": "x1", "name": "X", "license": "Proprietary"}
        item = _one(_bytes(json.dumps(tool).encode(), parse_biotools, ctx))
        assert item.errors == []
        assert item.record is not None
        assert "license" not in item.record
        assert item.record["rights"] == [{"text": "Proprietary"}]
        assert item.warnings == [
            "licence 'Proprietary' names no SPDX licence; kept as a rights statement"
        ]

    def test_licence_name_variant_becomes_its_spdx_id(self, ctx: MappingContext) -> None:
        tool = {"biotoolsID": "x1", "name": "X", "license": "Apache License 2.0"}
        item = _one(_bytes(json.dumps(tool).encode(), parse_biotools, ctx))
        assert item.record is not None
        assert item.record["license"] == "Apache-2.0"
        assert "rights" not in item.record

    def test_invalid_orcid_and_obsolete_term_are_warnings(self, ctx: MappingContext) -> None:
        tool = {
            "biotoolsID": "x2",
            "name": "X",
            "credit": [{"name": "A", "orcidid": "https://orcid.org/0000-0002-1825-0098"}],
            "function": [{"operation": [{"uri": "http://edamontology.org/operation_3083"}]}],
            "license": "GPL-3.0",
        }
        item = _one(_bytes(json.dumps(tool).encode(), parse_biotools, ctx))
        assert item.record is not None
        assert item.record["creators"] == [{"type": "Person", "name": "A"}]
        assert item.record["software"]["operations"] == []
        assert item.record["license"] == "GPL-3.0"
        assert len(item.warnings) == 2

    def test_credit_roles(self, ctx: MappingContext) -> None:
        tool = {
            "biotoolsID": "x3",
            "name": "X",
            "credit": [
                {"name": "Dev", "typeRole": ["Developer"], "typeEntity": "Person"},
                {"name": "Inst", "typeRole": ["Provider"], "typeEntity": "Institute"},
                {"name": "EU", "typeEntity": "Funding agency"},
            ],
        }
        record = _one(_bytes(json.dumps(tool).encode(), parse_biotools, ctx)).record
        assert record is not None
        assert [c["name"] for c in record["creators"]] == ["Dev"]
        assert record["contributors"] == [
            {"type": "Organization", "name": "Inst", "role": "HostingInstitution"}
        ]
        assert record["funding"] == [{"funder": "EU"}]

    def test_array_is_streamed_item_by_item(self, ctx: MappingContext) -> None:
        tools = [json.loads(p.read_bytes()) for p in BIOTOOLS[:3]]
        items = _bytes(json.dumps(tools).encode(), parse_biotools, ctx)
        assert [i.position for i in items] == ["body[0]", "body[1]", "body[2]"]
        assert all(i.record is not None for i in items)

    def test_missing_id_is_rejected(self, ctx: MappingContext) -> None:
        item = _one(_bytes(b'{"name": "nameless"}', parse_biotools, ctx))
        assert item.errors[0]["pointer"] == "/biotoolsID"
        assert item.errors[0]["rule"] == "required"


class TestBioschemas:
    def test_computational_tool(self, ctx: MappingContext) -> None:
        path = DATA / "bioschemas" / "ComputationalTool" / "examples" / "1.0-RELEASE"
        item = _one(_file(path / "bridgedb.json", parse_bioschemas, ctx))
        assert item.record is not None
        assert item.record["type"] == "Software"
        assert item.record["license"] == "Apache-2.0"
        assert item.record["publications"] == [{"doi": "10.1186/1471-2105-11-5"}]
        assert item.record["landing_page"] == "https://bridgedb.org/"

    def test_dataset_with_creative_commons_licence(self, ctx: MappingContext) -> None:
        path = DATA / "bioschemas" / "Dataset" / "examples" / "1.0-RELEASE" / "wikipathways.json"
        record = _one(_file(path, parse_bioschemas, ctx)).record
        assert record is not None
        assert record["type"] == "Dataset"
        assert record["license"] == "CC0-1.0"
        assert record["title"] == {"en": "WikiPathways"}
        assert "biological pathway" in record["keywords"]
        assert record["publications"][0]["doi"] == "10.1093/nar/gkaa1024"

    def test_biotools_markup_has_the_biotools_id(self, ctx: MappingContext) -> None:
        path = DATA / "biotools" / "data" / "3d-gnome" / "3d-gnome.bioschemas.jsonld"
        record = _one(_file(path, parse_bioschemas, ctx)).record
        assert record is not None
        assert record["id"] == "3d-gnome"
        assert "http://edamontology.org/topic_3940" in record["topics"]

    def test_course_instances_become_records(self, ctx: MappingContext) -> None:
        course = {
            "@context": "https://schema.org",
            "@type": "Course",
            "@id": "https://example.org/courses/rdm",
            "name": "Research data management",
            "keywords": "FAIR, RDM",
            "hasCourseInstance": [
                {
                    "@type": "CourseInstance",
                    "startDate": "2025-03-01",
                    "endDate": "2025-03-02",
                    "location": {"@type": "Place", "name": "Helsinki"},
                },
                {"@type": "CourseInstance", "startDate": "2025-05-01", "courseMode": "online"},
            ],
        }
        items = _bytes(json.dumps(course).encode(), parse_bioschemas, ctx)
        records = [i.record for i in items if i.record is not None]
        assert [r["type"] for r in records] == ["CourseInstance", "CourseInstance"]
        assert records[0]["course"]["location"] == {"name": "Helsinki"}
        assert records[1]["course"]["online"] is True
        assert records[0]["id"] != records[1]["id"]
        assert records[0]["keywords"] == ["FAIR", "RDM"]

    def test_graph_with_references_and_defined_terms(self, ctx: MappingContext) -> None:
        doc = {
            "@context": "https://schema.org",
            "@graph": [
                {"@id": "#p", "@type": "Person", "name": "Josiah Carberry",
                 "identifier": "https://orcid.org/0000-0002-1825-0097"},
                {"@id": "https://example.org/m", "@type": "TrainingMaterial", "name": "M",
                 "creator": {"@id": "#p"}, "educationalLevel": "Beginner",
                 "keywords": [{"@type": "DefinedTerm", "name": "Proteomics",
                               "url": "http://edamontology.org/topic_0121"}],
                 "license": {"@id": "https://creativecommons.org/licenses/by/4.0/"}},
            ],
        }  # fmt: skip
        record = _one(_bytes(json.dumps(doc).encode(), parse_bioschemas, ctx)).record
        assert record is not None
        assert record["creators"][0]["orcid"] == "https://orcid.org/0000-0002-1825-0097"
        assert record["topics"] == ["http://edamontology.org/topic_0121"]
        assert record["training"]["level"] == "beginner"
        assert record["license"] == "CC-BY-4.0"

    def test_missing_name_is_rejected(self, ctx: MappingContext) -> None:
        doc = {"@type": "Dataset", "@id": "https://example.org/d"}
        item = _one(_bytes(json.dumps(doc).encode(), parse_bioschemas, ctx))
        assert item.errors == [
            {"pointer": "/name", "rule": "required", "detail": "a Bioschemas Dataset needs a name"}
        ]

    def test_unsupported_type_is_rejected(self, ctx: MappingContext) -> None:
        item = _one(_bytes(b'{"@type": "Sample", "name": "s"}', parse_bioschemas, ctx))
        assert item.errors[0]["rule"] == "unsupported_type"


class TestDatacite:
    def test_full_example(self, ctx: MappingContext) -> None:
        path = next(p for p in DATACITE if p.name == "datacite-example-full-v4.xml")
        record = _one(_file(path, parse_datacite, ctx)).record
        assert record is not None
        assert record["id"] == "doi-10.82433-B09Z-4K37"
        assert record["type"] == "Dataset"
        assert record["title"] == {"en": "Example Title", "fr": "Example TranslatedTitle"}
        assert record["description"]["en"].startswith("Example Abstract\n\nExample Methods")
        assert record["license"] == "CC-BY-4.0"
        assert record["issued"] == "2024-01-01"
        assert record["modified"] == "2024-01-01"
        assert record["creators"][0]["orcid"] == "https://orcid.org/0000-0001-5727-2427"
        assert record["creators"][1]["type"] == "Organization"
        assert record["publisher"] == {
            "name": "Example Publisher",
            "ror": "https://ror.org/04z8jg394",
        }
        assert record["funding"][0]["award_number"] == "12345"
        assert record["languages"] == ["en"]
        assert "Example Subject" in record["keywords"]

    def test_software_type(self, ctx: MappingContext) -> None:
        items = [i for p in DATACITE for i in _file(p, parse_datacite, ctx)]
        kinds = {i.record["type"] for i in items if i.record is not None}
        assert kinds == {"Dataset", "Software"}

    def test_many_resources_in_one_file(self, ctx: MappingContext) -> None:
        one = DATACITE[0].read_bytes().split(b"?>", 1)[-1]
        wrapped = (
            b"<resources>" + one + one.replace(b"<identifier", b"<identifier") + b"</resources>"
        )
        items = _bytes(wrapped, parse_datacite, ctx)
        assert [i.position for i in items] == ["body", "body#1"]

    def test_broken_xml_is_rejected(self, ctx: MappingContext) -> None:
        item = _one(_bytes(b"<resource><title>", parse_datacite, ctx))
        assert item.errors[0]["rule"] == "xml"


class TestJsonLines:
    def test_lines_positions_and_derived_ids(self, ctx: MappingContext) -> None:
        lines = b"\n".join(
            [
                json.dumps({"type": "Dataset", "title": {"en": "A"}, "identifiers": [
                    {"scheme": "doi", "value": "https://doi.org/10.1234/ABC"}]}).encode(),
                b"",
                b"{not json",
                json.dumps({"id": "given", "type": "Dataset", "title": {"en": "B"}}).encode(),
            ]
        )  # fmt: skip
        items = _bytes(lines, parse_jsonl, ctx)
        assert [i.position for i in items] == ["body:1", "body:3", "body:4"]
        assert items[0].record is not None
        assert items[0].record["id"] == "doi-10.1234-ABC"
        assert items[1].errors[0]["rule"] == "json"
        assert items[2].record is not None
        assert items[2].record["id"] == "given"


def test_licence_urls(ctx: MappingContext) -> None:
    assert ctx.spdx("https://spdx.org/licenses/MIT.html") == "MIT"
    assert ctx.spdx("http://creativecommons.org/licenses/by-sa/4.0/") == "CC-BY-SA-4.0"
    assert ctx.spdx("https://example.org/licence") is None


def test_guess_format() -> None:
    assert guess_format(Path("x.biotools.json"), b"{") is ImportFormat.biotools
    assert guess_format(Path("x.jsonld"), b"{") is ImportFormat.bioschemas
    assert guess_format(Path("x.json"), b'{"@context": "https://schema.org"}') is (
        ImportFormat.bioschemas
    )
    assert guess_format(Path("x.dat"), b"<?xml version='1.0'?>") is ImportFormat.datacite
    assert guess_format(Path("x.json"), b"[1, 2]") is None


def _bytes_of(parser: Any, data: bytes, ctx: MappingContext) -> list[SourceItem]:
    return _bytes(data, parser, ctx)


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value, "s": ']}\\"['}
    return value


class TestDepthJson:
    @pytest.mark.parametrize("parser", [parse_biotools, parse_bioschemas])
    def test_deep_array_is_refused(self, parser: Any, ctx: MappingContext) -> None:
        (item,) = _bytes_of(parser, DEEP_ARRAY, ctx)
        assert item.position == "body[0]"
        assert item.errors[0]["rule"] == "max_depth"
        assert "64 levels" in item.errors[0]["detail"]

    @pytest.mark.parametrize("parser", [parse_biotools, parse_bioschemas])
    def test_deep_object_is_refused(self, parser: Any, ctx: MappingContext) -> None:
        (item,) = _bytes_of(parser, DEEP_OBJECT, ctx)
        assert (item.position, item.errors[0]["rule"]) == ("body", "max_depth")

    def test_items_before_the_deep_one_are_read(self, ctx: MappingContext) -> None:
        tools = [{"biotoolsID": f"t{i}", "name": f"Tool {i}"} for i in range(3)]
        data = b"[%s, %s, %s, %s]" % (
            json.dumps(tools[0]).encode(),
            json.dumps(tools[1]).encode(),
            DEEP_ARRAY,
            json.dumps(tools[2]).encode(),
        )
        items = _bytes_of(parse_biotools, data, ctx)
        assert [i.position for i in items] == ["body[0]", "body[1]", "body[2]"]
        assert [i.identifier for i in items[:2]] == ["t0", "t1"]
        assert items[2].errors[0]["rule"] == "max_depth"
        assert "from item 2 on" in items[2].errors[0]["detail"]

    def test_the_limit_is_a_setting(self, ctx: MappingContext) -> None:
        node = {"@type": "Dataset", "@id": "https://example.org/d", "name": "D", "x": _nested(10)}
        data = json.dumps(node).encode()
        assert _bytes_of(parse_bioschemas, data, ctx)[0].record is not None
        (item,) = _bytes_of(parse_bioschemas, data, replace(ctx, max_depth=8))
        assert item.errors[0]["rule"] == "max_depth"

    def test_utf16_nesting_is_refused_too(self, ctx: MappingContext) -> None:
        """UTF-16 JSON, which ``json.loads`` reads but the byte scan cannot, with an escaped
        quote to mislead it: still a rejected record, not an error."""
        text = '{"s": "\\"", "a": ' + "[" * 100_000 + "]" * 100_000 + "}"
        (item,) = _bytes_of(parse_bioschemas, text.encode("utf-16"), ctx)
        assert item.errors[0]["rule"] == "max_depth"


class TestDepthJsonLines:
    def test_only_the_deep_line_is_rejected(self, ctx: MappingContext) -> None:
        good = json.dumps({"id": "a", "type": "Dataset", "title": {"en": "A"}}).encode()
        data = b"\n".join([good, DEEP_OBJECT, b'{"x": ' + DEEP_ARRAY + b"}", good])
        items = _bytes_of(parse_jsonl, data, ctx)
        assert [i.position for i in items] == ["body:1", "body:2", "body:3", "body:4"]
        assert [i.errors[0]["rule"] for i in items[1:3]] == ["max_depth", "max_depth"]
        assert items[0].record is not None
        assert items[3].record is not None


class TestDepthDatacite:
    def test_a_deep_resource_is_rejected_and_the_next_read(self, ctx: MappingContext) -> None:
        one = DATACITE[0].read_bytes().split(b"?>", 1)[-1]
        deep = one.replace(b"</resource>", b"<x>" * 70 + b"</x>" * 70 + b"</resource>")
        items = _bytes_of(parse_datacite, b"<resources>" + deep + one + b"</resources>", ctx)
        assert [i.position for i in items] == ["body", "body#1"]
        assert items[0].errors[0]["rule"] == "max_depth"
        assert items[1].record is not None

    def test_a_document_deeper_than_libxml2_allows_is_refused(self, ctx: MappingContext) -> None:
        (item,) = _bytes_of(parse_datacite, b"<a>" * 100_000 + b"</a>" * 100_000, ctx)
        assert item.errors[0]["rule"] == "max_depth"

    def test_entities_are_not_expanded(self, ctx: MappingContext) -> None:
        one = DATACITE[0].read_bytes().split(b"?>", 1)[-1]
        bomb = (
            b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        )
        data = bomb + one.replace(b"<title>", b"<title>&c;", 1)
        (item,) = _bytes_of(parse_datacite, data, ctx)
        assert item.record is not None
        assert "aaaaaaaaaa" not in item.record["title"]["en"]  # the reference is not expanded

    def test_ended_content_is_freed_at_every_level(self, ctx: MappingContext) -> None:
        """An OAI-PMH-like dump: when the tenth resource is read, the records before it (each
        with its header) are gone from the tree but the last one, dropped right after."""
        one = DATACITE[0].read_bytes().split(b"?>", 1)[-1]
        record = b"<record><header>" + b"<x/>" * 1000 + b"</header><metadata>%s</metadata></record>"
        data = (
            b"<OAI-PMH><ListRecords>" + b"".join([record % one] * 10) + b"</ListRecords></OAI-PMH>"
        )
        sizes: list[int] = []

        def mapped(resource: Any, position: str, ctx: MappingContext) -> SourceItem:
            records = resource.getparent().getparent().getparent()
            sizes.append(len(records))
            return map_resource(resource, position, ctx)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(datacite, "map_resource", mapped)
            items = _bytes_of(parse_datacite, data, ctx)
        assert [i.record is not None for i in items] == [True] * 10
        assert sizes[-1] == 2  # the previous record and the open one, not ten

    def test_too_much_without_a_resource_is_refused(self, ctx: MappingContext) -> None:
        one = DATACITE[0].read_bytes().split(b"?>", 1)[-1]
        junk = b"<x/>" * (MAX_RESOURCE_BYTES // 2)  # twice the bound
        data = b"<resources>" + one + b"<w>" + junk + b"</w>" + one + b"</resources>"
        items = _bytes_of(parse_datacite, data, ctx)
        assert [i.position for i in items] == ["body", "body#1"]
        assert items[0].record is not None
        assert items[1].errors[0]["rule"] == "max_bytes"

    def test_deep_wrappers_are_refused(self, ctx: MappingContext) -> None:
        one = DATACITE[0].read_bytes().split(b"?>", 1)[-1]
        (item,) = _bytes_of(parse_datacite, b"<w>" * 70 + one + b"</w>" * 70, ctx)
        assert (item.position, item.errors[0]["rule"]) == ("body", "max_depth")
