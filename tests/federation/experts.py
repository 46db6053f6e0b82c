"""People of the expert network, added through the registry's API as the federation admin."""

from __future__ import annotations

from typing import Any

import httpx
from converge_common.testing.plugin import bearer

from tests.federation.conftest import Federation

# topic_0121 Proteomics (EDAM synonym: "Quantitative proteomics"), topic_0108 Protein
# expression, topic_3308 Transcriptomics, topic_0622 Genomics
PEOPLE: list[tuple[str, dict[str, Any]]] = [
    (
        "de",
        {
            "name": "Ada Steward",
            "role": "data steward",
            "expertise": ["topic_0121", "topic_0108"],
            "languages": ["de", "en"],
            "orcid": "0000-0002-1825-0097",
            "email": "ada@example.org",
        },
    ),
    (
        "fi",
        {
            "name": "Aino Trainer",
            "role": "trainer",
            "expertise": ["topic_3308"],
            "languages": ["fi", "en"],
            "email": "aino@example.org",
        },
    ),
    (
        "pt",
        {
            "name": "Beatriz Proteomics",
            "role": "trainer",
            "expertise": ["topic_0622"],
            "languages": ["pt"],
        },
    ),
    (
        "pt",
        {
            "name": "Carlos Steward",
            "role": "data steward",
            "expertise": ["topic_0121"],
            "languages": ["pt", "es"],
            "email": "carlos@example.org",
        },
    ),
]


async def seed_people(federation: Federation) -> dict[str, str]:
    """The people of :data:`PEOPLE`, by name -> registry id."""
    admin = bearer(federation.tokens.admin())
    ids = {}
    async with httpx.AsyncClient(base_url=federation.registry.url, timeout=10) as client:
        for node, body in PEOPLE:
            response = await client.post(f"/api/v1/nodes/{node}/people", json=body, headers=admin)
            assert response.status_code == 201, response.text
            ids[body["name"]] = response.json()["id"]
    return ids
