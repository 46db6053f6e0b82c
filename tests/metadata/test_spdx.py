"""The SPDX vocabulary reads the ways sources write a licence: ids, names, URLs, variants."""

from __future__ import annotations

import csv

import pytest
from converge_metadata.vocab import Vocabularies, default_data_dir
from converge_metadata.vocab.spdx import SpdxLicence, SpdxVocabulary


@pytest.mark.parametrize(
    ("given", "spdx_id"),
    [
        ("cc-by-4.0", "CC-BY-4.0"),
        ("CC0 1.0", "CC0-1.0"),
        ("CC-BY 4.0", "CC-BY-4.0"),
        ("CC BY-SA 4.0", "CC-BY-SA-4.0"),
        ("Apache License 2.0", "Apache-2.0"),
        ("The Apache License, Version 2.0", "Apache-2.0"),
        ("Apache 2.0", "Apache-2.0"),
        ("GPL-3.0-or-later", "GPL-3.0-or-later"),
        ("GPLv3", "GPL-3.0-only"),
        ("GNU General Public License v3.0 only", "GPL-3.0-only"),  # not the deprecated GPL-3.0
        ("The MIT License", "MIT"),
        ("Creative Commons Attribution 4.0 International License", "CC-BY-4.0"),
        ("https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
        ("http://creativecommons.org/licenses/by-nc-nd/3.0/", "CC-BY-NC-ND-3.0"),
        ("https://creativecommons.org/licenses/by/4.0/legalcode", "CC-BY-4.0"),
        ("https://creativecommons.org/licenses/by-sa/4.0/deed.de", "CC-BY-SA-4.0"),
        ("https://creativecommons.org/licenses/by/3.0/de/", "CC-BY-3.0-DE"),
        ("http://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
        ("https://spdx.org/licenses/MIT.html", "MIT"),
        ("spdx.org/licenses/BSD-3-Clause", "BSD-3-Clause"),
        ("https://opensource.org/licenses/MIT", "MIT"),
        ("https://www.apache.org/licenses/LICENSE-2.0.txt", "Apache-2.0"),
        ("https://www.gnu.org/licenses/gpl-3.0.en.html", "GPL-3.0-only"),
        ("http://opendatacommons.org/licenses/odbl/", "ODbL-1.0"),
    ],
)
def test_normalise(vocab: Vocabularies, given: str, spdx_id: str) -> None:
    found = vocab.spdx.normalise(given)
    assert found is not None, given
    assert found.id == spdx_id


@pytest.mark.parametrize(
    "given",
    [
        "Proprietary",
        "Other",
        "Freeware",
        "Not licensed",
        "Public Domain",
        "GNU General Public License v3.0",  # only or or-later: not guessed
        "Creative Commons Attribution-NoDerivs",  # no version
        "https://creativecommons.org/licenses/by/3.0/xx/",  # a port the list does not have
        "http://www.ebi.ac.uk/about/terms-of-use",
        "GPL-2.0/x",
        "",
    ],
)
def test_no_licence_is_guessed(vocab: Vocabularies, given: str) -> None:
    assert vocab.spdx.normalise(given) is None


def test_every_variant_names_a_listed_licence(vocab: Vocabularies) -> None:
    path = default_data_dir() / "spdx" / "variants.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) > 50
    for row in rows:
        value = row["variant"] if "/" not in row["variant"] else "https://" + row["variant"]
        found = vocab.spdx.normalise(value)
        assert found is not None, row
        assert found.id == row["id"], row


def test_variant_of_an_unknown_id_is_refused() -> None:
    mit = SpdxLicence(id="MIT", name="MIT License", deprecated=False, osi_approved=True)
    with pytest.raises(ValueError, match="not an SPDX id"):
        SpdxVocabulary({"MIT": mit}, {"Expat": "No-Such-1.0"})
