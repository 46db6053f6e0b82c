"""Every workspace catalogue translates every message its service's pages use."""

from __future__ import annotations

from importlib import resources

import pytest
from babel.messages.pofile import read_po
from converge_common.workspace.core import LOCALES
from converge_impact.workspace.access import WORKSPACE as IMPACT
from converge_metadata.workspace import WORKSPACE as METADATA

PACKAGES = ["converge_metadata.workspace", "converge_impact.workspace"]


@pytest.mark.parametrize("code", [c for c in LOCALES if c != "en"])
@pytest.mark.parametrize("package", PACKAGES)
def test_every_message_is_translated(package: str, code: str) -> None:
    translations = resources.files(package) / "translations"
    with (translations / "messages.pot").open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(handle) if m.id}
    with (translations / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=code)
    translated = {
        m.id if isinstance(m.id, str) else tuple(m.id)
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(str(m) for m in wanted - translated)
    assert not missing, f"{package} {code}: untranslated {missing}"


@pytest.mark.parametrize("workspace", [METADATA, IMPACT], ids=["metadata", "impact"])
def test_navigation_and_layout_speak_every_language(workspace: object) -> None:
    from converge_common.workspace import Workspace

    assert isinstance(workspace, Workspace)
    assert workspace.site.locales == LOCALES
    for code in LOCALES[1:]:
        language = workspace.language(code)
        for item in workspace.nav:
            assert language.gettext(item.label) != item.label, (code, item.label)
        assert language.gettext("Sign out") != "Sign out"
        # the empty message is the catalogue's header: an empty label stays empty
        assert language.gettext("") == ""
