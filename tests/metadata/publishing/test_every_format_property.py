"""Property: every record the API accepts serialises in every output format (issue #10).

A ``landing_page`` holding ``"<>{}|^\\``` was accepted and then broke the Node's whole DCAT
catalogue. Here Hypothesis writes records of every type, with unicode, markup, near-invalid
text and odd URLs, through the real API; whatever the API accepts (201) must come back as
JSON, Bioschemas JSON-LD, DataCite XML, DCAT-AP (Turtle, JSON-LD, RDF/XML, by the records
endpoint and by ``/dcat``), OAI-PMH (``oai_dc``, ``oai_datacite``, ``dcat_ap``), the landing
page, the FAIR assessment, the catalogue and the sitemap, each one well formed; whatever it
refuses is a 422, never a 500.
"""

from __future__ import annotations

import json
import re
from itertools import count
from typing import Any

import httpx
from converge_metadata.records.fields import Url
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree, html
from pydantic import TypeAdapter, ValidationError
from rdflib import Graph, URIRef

# --- strategies -----------------------------------------------------------------------------

_MARKUP = ["<b>", "</script>", "]]>", "&amp;", '"', "'", "\\", "{{x}}", "${x}", "<!--", "\u2028"]
_ODD = ["\x00", "\x07", "\x1f", "\ufffe", "\ud800"]  # the API must refuse these (422)


def _text(hostile: bool, *, max_size: int = 24) -> st.SearchStrategy[str]:
    plain = st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
        min_size=1,
        max_size=max_size,
    )
    decorated = st.tuples(plain, st.sampled_from(_MARKUP), plain).map("".join)
    if not hostile:
        return st.one_of(plain, decorated)
    odd = st.tuples(plain, st.sampled_from(_ODD)).map("".join)
    return st.one_of(plain, decorated, odd)


# characters RFC 3987 allows in a path, and those it never allows unencoded
_IRI_CHARS = "abcXYZ019-._~!$&'()*+,;=:@/%éß中\u00a0\U0001f600"
_NEVER = '"<>{}|^`\\ \ue000'
_ODD_URLS = [
    "https://example.org/a<b>",
    'https://example.org/"q"',
    "https://example.org/{x}|^`\\",
    "https://example.org/%zz",
    "https://exa mple.org/",
    "https://[not:ipv6]/",
    "http:///no-host",
    "javascript:alert(1)",
]
_FINE_URLS = [
    "https://例え.jp/パス?q=値#frag",
    "https://example.org/%E2%82%AC?a=1&b=%20",
    "https://user:pw@example.org:8443/p;x=1",
    "https://[::1]/x",
    "http://10.0.0.1/it's(1)*",
    "https://example.org/?q=\ue000",
]


@st.composite
def _url(draw: st.DrawFn, hostile: bool) -> str:
    if draw(st.booleans()):
        return draw(st.sampled_from(_FINE_URLS + (_ODD_URLS if hostile else [])))
    scheme = draw(st.sampled_from(["http", "https"]))
    host = draw(st.sampled_from(["example.org", "xn--bcher-kva.example", "bücher.de", "10.0.0.1"]))
    chars = _IRI_CHARS + (_NEVER if hostile else "")
    path = draw(st.text(st.sampled_from(chars), max_size=16))
    if not hostile:
        # a '%' is only ever the start of an escape
        path = re.sub("%", "%25", path)
    query = draw(st.sampled_from(["", "?a=b&c=%41", "?x=(y)", "#top"]))
    return f"{scheme}://{host}/{path}{query}"


_TOPICS = ["topic_3308", "topic_0121", "topic_0622", "topic_3071", "topic_0091"]
_ORGANISMS = ["9606", "10090", "562"]
_OPERATIONS = ["operation_3767", "operation_0004"]
_FORMATS = ["format_3590", "format_1930"]


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


@st.composite
def _record(draw: st.DrawFn) -> dict[str, Any]:
    # one record in four may hold text or URLs the API must refuse; the rest must be accepted
    hostile = draw(st.integers(0, 3)) == 0

    def _url_() -> st.SearchStrategy[str]:
        return _url(hostile)

    def _text_(max_size: int = 24) -> st.SearchStrategy[str]:
        return _text(hostile, max_size=max_size)

    kind = draw(st.sampled_from(["Dataset", "Software", "TrainingMaterial", "CourseInstance"]))
    body: dict[str, Any] = {
        "type": kind,
        "status": "published",
        "title": draw(
            st.dictionaries(
                st.sampled_from(["en", "de", "pt-BR", "fi"]), _text_(), min_size=1, max_size=2
            )
        ),
        "description": {"en": draw(_text_(max_size=60))},
        "keywords": draw(st.lists(_text_(), max_size=3)),
        "topics": draw(st.lists(st.sampled_from(_TOPICS), max_size=2, unique=True)),
        "license": draw(
            st.one_of(
                st.sampled_from([None, "CC-BY-4.0", "MIT", "CC0 1.0", "Proprietary"]), _text_()
            )
        ),
        "rights": draw(
            st.lists(
                st.builds(
                    lambda t, u, lang: {"text": t, "uri": u, "language": lang},
                    _maybe(_text_()),
                    _url_(),
                    st.sampled_from([None, "en", "pt-BR"]),
                ),
                max_size=2,
            )
        ),
        "creators": [
            {"name": draw(_text_()), "affiliation": draw(_maybe(_text_()))},
            {"type": "Organization", "name": draw(_text_())},
        ],
        "contributors": [{"name": draw(_text_()), "role": draw(_maybe(_text_()))}],
        "publisher": {"name": draw(_text_()), "url": draw(_maybe(_url_()))},
        "landing_page": draw(_maybe(_url_())),
        "identifiers": draw(
            st.lists(
                st.one_of(
                    st.builds(lambda v: {"scheme": "url", "value": v}, _url_()),
                    st.builds(
                        lambda s, v: {"scheme": s, "value": v},
                        st.sampled_from(["accession", "handle", "ark", "other", "biotools"]),
                        _text_(),
                    ),
                    st.builds(
                        lambda v: {"scheme": "doi", "value": "10.1234/" + v},
                        st.text(st.sampled_from('ab<>"{}|^`\\;()/:'), min_size=1, max_size=8),
                    ),
                ),
                max_size=2,
            )
        ),
        "publications": draw(
            st.lists(
                st.one_of(
                    st.builds(lambda u, t: {"url": u, "title": t}, _url_(), _text_()),
                    st.builds(
                        lambda v: {"doi": "10.1002/" + v},
                        st.text(st.sampled_from('(SICI)<>:;-#"{} 0123'), min_size=1, max_size=10),
                    ),
                    st.just({"pmid": "12345678"}),
                ),
                max_size=2,
            )
        ),
        "funding": [
            {
                "funder": draw(_text_()),
                "funder_id": draw(_maybe(_url_())),
                "award_title": draw(_maybe(_text_())),
            }
        ],
    }
    body["languages"] = draw(
        st.lists(st.sampled_from(["en", "de", "pt-BR", "zh-Hant"]), max_size=2)
    )
    body["issued"] = draw(st.sampled_from([None, "2020-02-29", "1999-12-31"]))
    if draw(st.integers(0, 3)) == 0:
        body["access"] = {"level": "embargoed", "embargo_until": "2024-01-01"}  # ended: public
    elif draw(st.booleans()):
        email = draw(
            st.sampled_from(
                ["dac@example.org", "a+b@example.org", "x{y}@example.org", "ü@example.org"]
            )
        )
        body["access"] = {
            "level": "controlled",
            "dac": {"name": draw(_text_()), "email": email, "url": draw(_maybe(_url_()))},
            "data_use": ["DUO:0000042"],
        }
    if kind == "Dataset":
        body["dataset"] = {
            "organisms": draw(st.lists(st.sampled_from(_ORGANISMS), max_size=2, unique=True)),
            "distributions": [
                {
                    "title": draw(_maybe(_text_())),
                    "download_url": draw(_url_()),
                    "access_url": draw(_maybe(_url_())),
                    "media_type": draw(st.sampled_from([None, "text/csv", "application/x-hdf5"])),
                    "format": draw(st.sampled_from([None, *_FORMATS])),
                    "byte_size": draw(st.integers(0, 2**62)),
                    "checksum": draw(
                        st.sampled_from([None, {"algorithm": "md5", "value": "0f" * 16}])
                    ),
                }
            ],
        }
    elif kind == "Software":
        body["software"] = {
            "operations": draw(st.lists(st.sampled_from(_OPERATIONS), max_size=2, unique=True)),
            "input_formats": draw(st.lists(st.sampled_from(_FORMATS), max_size=1)),
            "output_formats": draw(st.lists(st.sampled_from(_FORMATS), max_size=1)),
            "biotools_id": draw(st.sampled_from([None, "signalp", "a.b~c-d_1"])),
            "code_repository": draw(_maybe(_url_())),
            "software_version": draw(_maybe(_text_())),
        }
    else:
        body["training"] = {
            "audience": draw(st.lists(_text_(), max_size=2)),
            "level": draw(st.sampled_from([None, "beginner", "advanced"])),
            "learning_outcomes": draw(st.lists(_text_(), max_size=2)),
        }
        if kind == "CourseInstance":
            body["course"] = {
                "start_date": "2024-06-10",
                "end_date": "2024-06-11",
                "location": {
                    "name": draw(_text_()),
                    "address": draw(_maybe(_text_())),
                    "country": "DE",
                },
                "online": draw(st.booleans()),
            }
    return body


# --- checks ---------------------------------------------------------------------------------

_RDF = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}
_ACCEPT_RDF = {"text/turtle": "turtle", "application/rdf+xml": "xml"}
_JSONLD_SCRIPT = re.compile(
    r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL | re.IGNORECASE
)


def _ok(response: httpx.Response) -> httpx.Response:
    assert response.status_code == 200, (response.request.url, response.text[:2000])
    return response


async def _every_format(api: httpx.AsyncClient, record_id: str) -> None:
    url = f"/api/v1/records/{record_id}"
    json.loads(_ok(await api.get(url)).content)
    json.loads(_ok(await api.get(f"{url}/fair")).content)
    jsonld = json.loads(_ok(await api.get(url, headers={"Accept": "application/ld+json"})).content)
    assert isinstance(jsonld, dict)
    datacite = {"Accept": "application/vnd.datacite.datacite+xml"}
    etree.fromstring(_ok(await api.get(url, headers=datacite)).content)
    for media, fmt in _ACCEPT_RDF.items():
        body = _ok(await api.get(url, headers={"Accept": media})).content
        Graph().parse(data=body, format=fmt)
    for param, fmt in _RDF.items():
        body = _ok(await api.get(f"/dcat/datasets/{record_id}", params={"format": param})).content
        assert len(Graph().parse(data=body, format=fmt)) > 0
    identifier = f"oai:converge.de.elixir-europe.org:de:{record_id}"
    for prefix in ("oai_dc", "oai_datacite", "dcat_ap"):
        params = {"verb": "GetRecord", "identifier": identifier, "metadataPrefix": prefix}
        document = etree.fromstring(_ok(await api.get("/oai", params=params)).content)
        errors = document.findall("{http://www.openarchives.org/OAI/2.0/}error")
        assert errors == [], etree.tostring(errors[0])
    page = _ok(await api.get(f"/records/{record_id}")).text
    html.fromstring(page)
    scripts = _JSONLD_SCRIPT.findall(page)
    assert scripts, "the landing page embeds its JSON-LD"
    for script in scripts:
        assert json.loads(script) == jsonld
    catalog = _ok(await api.get("/dcat/catalog", params={"format": "ttl"})).content
    Graph().parse(data=catalog, format="turtle")
    etree.fromstring(_ok(await api.get("/sitemap.xml")).content)


_ids = count()


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(record=_record())
async def test_every_accepted_record_serialises_in_every_format(
    api: httpx.AsyncClient, steward: dict[str, str], record: dict[str, Any]
) -> None:
    record["id"] = f"prop-{next(_ids)}"
    content = json.dumps(record)  # a lone surrogate goes as the escape a client would send
    headers = {**steward, "Content-Type": "application/json"}
    response = await api.post("/api/v1/records", content=content, headers=headers)
    assert response.status_code in (201, 422), response.text
    assume(response.status_code == 201)
    await _every_format(api, record["id"])


_URL_ADAPTER: TypeAdapter[str] = TypeAdapter(Url)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    value=st.one_of(
        _url(hostile=True), st.text(st.sampled_from(_IRI_CHARS + _NEVER + "hts:/"), max_size=30)
    )
)
def test_every_accepted_url_is_an_iri_every_rdf_syntax_can_write(value: str) -> None:
    try:
        accepted = _URL_ADAPTER.validate_python(value)
    except ValidationError:
        return
    URIRef(accepted).n3()  # raises on what Turtle's IRIREF cannot hold
    assert not set(accepted) & set('"<>{}|^`\\ ')
    assert accepted.startswith(("http://", "https://"))
