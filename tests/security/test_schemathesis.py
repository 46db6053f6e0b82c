"""Every service answers its own OpenAPI document: schemathesis against the live stack.

For each service (registry, metadata, impact, gateway) and each caller (anonymous, and a
steward of the seeded Node with a real token), schemathesis generates requests from the
service's published OpenAPI document, positive and negative, sends them over real HTTP to
the uvicorn server, and checks every answer: no server error, a status code the operation
documents, a documented content type and headers, and a body that matches the documented
schema. The run is bounded (``MAX_EXAMPLES`` per operation and phase) and deterministic
(a fixed seed), and it runs against seeded data on SQLite, and on PostgreSQL too when
``CONVERGE_SCHEMATHESIS_BACKENDS=sqlite,postgresql`` (the coverage phase dominates the time,
about 40 s of CPU for the metadata service alone).

A failure prints schemathesis's own report, with a ``curl`` line that reproduces each case.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Callable

import pytest
from converge_common.testing.plugin import Tokens

from tests.security.conftest import NODE, Stack

pytestmark = pytest.mark.oidc

MAX_EXAMPLES = int(os.environ.get("CONVERGE_SCHEMATHESIS_EXAMPLES", "12"))
# SQLite in the default run (time); CI or a deeper run adds postgresql
BACKENDS = os.environ.get("CONVERGE_SCHEMATHESIS_BACKENDS", "sqlite").split(",")
SEED = 20261203
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    )
)
SERVICES = ("registry", "metadata", "impact", "gateway")


async def run_schemathesis(base_url: str, *, headers: dict[str, str]) -> tuple[int, str]:
    """One ``st run`` over every operation; its exit code and report."""
    args = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--phases",
        "examples,coverage,fuzzing",
        "--workers",
        "1",
        "--no-shrink",
        "--request-timeout",
        "20",
        "--suppress-health-check",
        "all",
        "--output-truncate",
        "false",
    ]
    for name, value in headers.items():
        args += ["--header", f"{name}: {value}"]
    process = await asyncio.create_subprocess_exec(
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""},
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode(errors="replace")


@pytest.fixture
def probed(db_backend: str, request: pytest.FixtureRequest) -> Stack:
    """The stack, on the backends this run probes (decided before anything starts)."""
    if db_backend not in BACKENDS:
        pytest.skip(
            f"schemathesis runs on {', '.join(BACKENDS)}; set "
            "CONVERGE_SCHEMATHESIS_BACKENDS=sqlite,postgresql for both"
        )
    stack: Stack = request.getfixturevalue("stack")
    return stack


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("caller", ["anonymous", "steward"])
async def test_every_answer_matches_the_published_schema(
    probed: Stack,
    tokens: Tokens,
    record_testsuite_property: Callable[[str, object], None],
    db_backend: str,
    service: str,
    caller: str,
) -> None:
    headers = {} if caller == "anonymous" else {"Authorization": f"Bearer {tokens.node(NODE)}"}
    code, output = await run_schemathesis(probed.url(service), headers=headers)
    assert code == 0, output
    generated = re.search(r"(\d+) generated", output)
    assert generated is not None, output
    # the case count, for docs/reliability.md (`pytest --junitxml` keeps it)
    record_testsuite_property(
        f"schemathesis_cases[{db_backend}-{caller}-{service}]", int(generated.group(1))
    )
