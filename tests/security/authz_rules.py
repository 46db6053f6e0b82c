"""Who may call what: the documented outcome of every route for every kind of caller.

One entry per route, keyed by ``(METHOD, path template)`` exactly as the app declares it, whose
value is a policy: the outcome for each caller of :data:`CALLERS`, in that order. A new route
is one new line here (``("GET", "/api/v1/things"): PUBLIC,``); a policy that does not exist yet
is one ``policy(...)`` line. ``tests/security/test_authz_matrix.py`` sends a request to every
route of every app as every caller and fails on a route that has no entry here, and
``python -m scripts.authz_matrix`` renders this table into ``docs/reliability.md``.

Outcomes: ``ok`` (authorised: any answer but 401, 403 or 404), ``401``, ``403`` and ``404``
(hidden: the caller may not know the resource exists), ``sign-in`` (a workspace page: a
``303`` to the workspace's sign-in; pages take a session cookie, never a bearer token, and who
may do what once signed in is tested with the workspace, ``tests/metadata/workspace/`` and
``tests/impact/workspace/``).
A 5xx is never an outcome.

The callers, with the tokens the test gets from the real OpenID provider:

- ``anonymous``: no token;
- ``reader``: a person signed in through the portal, with no role;
- ``controlled``: a client with ``controlled:read`` (may read controlled-access records);
- ``other_steward``: Node ``fi``'s client, with only ``node:fi:steward``;
- ``steward``: a person with ``node:de:steward`` (the seeded Node is ``de``);
- ``node_admin``: Node ``de``'s client, with only ``node:de:admin``;
- ``fed_admin``: a client with ``federation:admin``.
"""

from __future__ import annotations

from typing import Any, Literal

__all__ = ["CALLERS", "RULES", "SAMPLE_BODIES", "Outcome", "Policy", "policy"]

Outcome = Literal["ok", "401", "403", "404", "sign-in"]
CALLERS = (
    "anonymous",
    "reader",
    "controlled",
    "other_steward",
    "steward",
    "node_admin",
    "fed_admin",
)
Policy = tuple[Outcome, ...]


def policy(*outcomes: Outcome) -> Policy:
    if len(outcomes) != len(CALLERS):
        raise ValueError(f"a policy names one outcome for each of {CALLERS}")
    return outcomes


#                   anonymous reader controlled other_st steward node_adm fed_admin
PUBLIC = policy("ok", "ok", "ok", "ok", "ok", "ok", "ok")
# a Node's metadata or impact service: its stewards (a Node admin is also a steward)
NODE_STEWARD = policy("401", "403", "403", "403", "ok", "ok", "403")
# the registry: who acts for the Node in the path (its clients, its admins, the federation)
ACTS_FOR_NODE = policy("401", "403", "403", "403", "403", "ok", "ok")
# the registry's people: also the Node's stewards
STEWARD_OF_NODE = policy("401", "403", "403", "403", "ok", "ok", "ok")
FEDERATION_ADMIN = policy("401", "403", "403", "403", "403", "403", "ok")
# a workspace page or form: signed-in stewards (or admins) of the Node, by session cookie
WORKSPACE = policy("sign-in", "sign-in", "sign-in", "sign-in", "sign-in", "sign-in", "sign-in")
# a Node's admins only (validation of impact figures, the Node's own indicators, usage feed)
NODE_ADMIN = policy("401", "403", "403", "403", "403", "ok", "403")

HEALTH = {
    ("GET", "/livez"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/service-info"): PUBLIC,
}

# the workspace's sign-in routes (converge_common.workspace) in every service that has it
WORKSPACE_SIGN_IN = {
    ("GET", "/workspace/sign-in"): PUBLIC,
    ("GET", "/workspace/callback"): PUBLIC,
    ("POST", "/workspace/sign-out"): WORKSPACE,
    ("GET", "/workspace/signed-out"): PUBLIC,
}

# the metadata service's import jobs (API) and the workspace's history and import pages
IMPORT_JOBS = {
    ("POST", "/api/v1/imports"): NODE_STEWARD,
    ("GET", "/api/v1/imports"): NODE_STEWARD,
    ("GET", "/api/v1/imports/{job_id}"): NODE_STEWARD,
    ("GET", "/api/v1/imports/{job_id}/report.csv"): NODE_STEWARD,
}
WORKSPACE_HISTORY_IMPORTS = {
    ("GET", "/workspace/records/{record_id}/history"): WORKSPACE,
    ("GET", "/workspace/records/{record_id}/history/diff"): WORKSPACE,
    ("POST", "/workspace/records/{record_id}/history/{version}/restore"): WORKSPACE,
    ("GET", "/workspace/imports"): WORKSPACE,
    ("POST", "/workspace/imports"): WORKSPACE,
    ("GET", "/workspace/imports/{job_id}"): WORKSPACE,
    ("GET", "/workspace/imports/{job_id}/status"): WORKSPACE,
    ("GET", "/workspace/imports/{job_id}/report.json"): WORKSPACE,
    ("GET", "/workspace/imports/{job_id}/report.csv"): WORKSPACE,
}

RULES: dict[str, dict[tuple[str, str], Policy]] = {
    "registry": {
        **HEALTH,
        ("POST", "/api/v1/nodes"): FEDERATION_ADMIN,
        ("PATCH", "/api/v1/nodes/{node_id}"): FEDERATION_ADMIN,
        ("GET", "/api/v1/nodes"): PUBLIC,
        ("GET", "/api/v1/nodes/{node_id}"): PUBLIC,
        ("PUT", "/api/v1/nodes/{node_id}/services/{kind}"): ACTS_FOR_NODE,
        ("POST", "/api/v1/nodes/{node_id}/services/{kind}/heartbeat"): ACTS_FOR_NODE,
        ("DELETE", "/api/v1/nodes/{node_id}/services/{kind}"): ACTS_FOR_NODE,
        ("GET", "/api/v1/nodes/{node_id}/services/{kind}"): PUBLIC,
        ("GET", "/api/v1/nodes/{node_id}/services/{kind}/history"): PUBLIC,
        ("GET", "/api/v1/services"): PUBLIC,
        ("POST", "/api/v1/nodes/{node_id}/people"): STEWARD_OF_NODE,
        ("PATCH", "/api/v1/people/{person_id}"): STEWARD_OF_NODE,
        ("DELETE", "/api/v1/people/{person_id}"): STEWARD_OF_NODE,
        ("GET", "/api/v1/people"): PUBLIC,
        ("GET", "/api/v1/changes"): PUBLIC,
        ("POST", "/api/v1/webhooks"): FEDERATION_ADMIN,
        ("GET", "/api/v1/webhooks"): FEDERATION_ADMIN,
        ("DELETE", "/api/v1/webhooks/{webhook_id}"): FEDERATION_ADMIN,
        ("POST", "/api/v1/ping"): PUBLIC,
        ("GET", "/api/v1/pings"): FEDERATION_ADMIN,
    },
    "metadata": {
        **HEALTH,
        ("POST", "/api/v1/records"): NODE_STEWARD,
        ("GET", "/api/v1/records"): PUBLIC,
        ("GET", "/api/v1/records/{record_id}"): PUBLIC,
        ("PUT", "/api/v1/records/{record_id}"): NODE_STEWARD,
        ("PATCH", "/api/v1/records/{record_id}"): NODE_STEWARD,
        ("DELETE", "/api/v1/records/{record_id}"): NODE_STEWARD,
        ("GET", "/api/v1/records/{record_id}/versions"): PUBLIC,
        ("GET", "/api/v1/records/{record_id}/versions/{version}"): PUBLIC,
        ("POST", "/api/v1/records/{record_id}/versions/{version}/restore"): NODE_STEWARD,
        ("GET", "/api/v1/search"): PUBLIC,
        ("POST", "/api/v1/import"): NODE_STEWARD,
        **IMPORT_JOBS,
        **WORKSPACE_HISTORY_IMPORTS,
        ("GET", "/api/v1/records/{record_id}/fair"): PUBLIC,
        ("GET", "/api/v1/fair/summary"): PUBLIC,
        ("GET", "/oai"): PUBLIC,
        ("POST", "/oai"): PUBLIC,
        ("GET", "/dcat/catalog"): PUBLIC,
        ("GET", "/dcat/datasets/{record_id}"): PUBLIC,
        ("GET", "/fdp"): PUBLIC,
        ("GET", "/fdp/catalog"): PUBLIC,
        ("GET", "/fdp/datasets/{record_id}"): PUBLIC,
        ("GET", "/records/{record_id}"): PUBLIC,
        ("GET", "/sitemap.xml"): PUBLIC,
        ("GET", "/api/v1/stats"): NODE_STEWARD,
        ("GET", "/api/v1/terms"): PUBLIC,
        ("GET", "/api/v1/usage/events"): NODE_ADMIN,
        ("GET", "/api/v1/records/{record_id}/distributions/{n}/download"): PUBLIC,
        **WORKSPACE_SIGN_IN,
        ("GET", "/workspace/"): WORKSPACE,
        ("GET", "/workspace/records"): WORKSPACE,
        # the record forms (converge_metadata.workspace.editing)
        ("GET", "/workspace/new"): WORKSPACE,
        ("GET", "/workspace/new/{record_type}"): WORKSPACE,
        ("POST", "/workspace/new/{record_type}"): WORKSPACE,
        ("GET", "/workspace/records/{record_id}/edit"): WORKSPACE,
        ("POST", "/workspace/records/{record_id}/edit"): WORKSPACE,
        ("POST", "/workspace/records/assess"): WORKSPACE,
        # a record's page and its Publish button (converge_metadata.workspace.pages)
        ("GET", "/workspace/records/{record_id}"): WORKSPACE,
        ("POST", "/workspace/records/{record_id}/publish"): WORKSPACE,
    },
    "impact": {
        **HEALTH,
        ("GET", "/api/v1/indicators"): PUBLIC,
        ("POST", "/api/v1/indicators"): NODE_ADMIN,
        ("GET", "/api/v1/indicators/{code}"): PUBLIC,
        ("PUT", "/api/v1/indicators/{code}"): NODE_ADMIN,
        ("GET", "/api/v1/indicators/{code}/series"): PUBLIC,
        ("GET", "/api/v1/pathways/{pathway}/series"): PUBLIC,
        ("GET", "/api/v1/profile"): PUBLIC,
        ("GET", "/api/v1/charts/indicators/{code}.svg"): PUBLIC,
        ("GET", "/api/v1/charts/profile.svg"): PUBLIC,
        ("GET", "/api/v1/annual-reports/{year}"): PUBLIC,
        ("GET", "/api/v1/values"): PUBLIC,
        ("POST", "/api/v1/values"): NODE_STEWARD,
        ("POST", "/api/v1/values/bulk"): NODE_STEWARD,
        ("GET", "/api/v1/values/{value_id}"): PUBLIC,
        ("PATCH", "/api/v1/values/{value_id}"): NODE_STEWARD,
        ("POST", "/api/v1/values/{value_id}/submit"): NODE_STEWARD,
        ("POST", "/api/v1/values/{value_id}/validate"): NODE_ADMIN,
        ("POST", "/api/v1/values/{value_id}/return"): NODE_ADMIN,
        ("GET", "/api/v1/values/{value_id}/history"): NODE_STEWARD,
        ("GET", "/api/v1/derived"): PUBLIC,
        ("GET", "/api/v1/derived/refresh"): PUBLIC,
        ("POST", "/api/v1/derived/refresh"): NODE_ADMIN,
        ("GET", "/api/v1/export"): NODE_STEWARD,
        ("GET", "/api/v1/export/{part}.csv"): NODE_STEWARD,
        ("GET", "/api/v1/reports"): PUBLIC,
        ("GET", "/api/v1/reports/dsr"): PUBLIC,
        ("POST", "/api/v1/usage/loads"): NODE_ADMIN,
        **WORKSPACE_SIGN_IN,
        # the impact workspace's pages and forms (roles once signed in: tests/impact/workspace/)
        ("GET", "/workspace/"): WORKSPACE,
        ("GET", "/workspace/values/new"): WORKSPACE,
        ("POST", "/workspace/values"): WORKSPACE,
        ("GET", "/workspace/values/{value_id}"): WORKSPACE,
        ("POST", "/workspace/values/{value_id}"): WORKSPACE,
        ("POST", "/workspace/values/{value_id}/submit"): WORKSPACE,
        ("POST", "/workspace/values/{value_id}/validate"): WORKSPACE,
        ("POST", "/workspace/values/{value_id}/return"): WORKSPACE,
        ("GET", "/workspace/derived"): WORKSPACE,
        ("POST", "/workspace/derived/refresh"): WORKSPACE,
        ("GET", "/workspace/upload"): WORKSPACE,
        ("POST", "/workspace/upload"): WORKSPACE,
        ("GET", "/workspace/export/values.csv"): WORKSPACE,
        ("GET", "/workspace/charts"): WORKSPACE,
        ("GET", "/workspace/reports"): WORKSPACE,
        ("GET", "/workspace/reports/{year}.html"): WORKSPACE,
    },
    "gateway": {
        **HEALTH,
        ("GET", "/api/v1/people"): PUBLIC,
        ("GET", "/api/v1/search"): PUBLIC,
        ("GET", "/api/v1/nodes"): PUBLIC,
        ("GET", "/api/v1/records/{global_id}"): PUBLIC,
        ("GET", "/oai"): PUBLIC,
        ("POST", "/oai"): PUBLIC,
        ("GET", "/dcat/catalog"): PUBLIC,
        ("GET", "/api/v1/impact/indicators"): PUBLIC,
        ("GET", "/api/v1/impact/indicators/{code}"): PUBLIC,
        ("GET", "/api/v1/impact/profile"): PUBLIC,
        ("GET", "/api/v1/federation"): PUBLIC,
        # the portal's pages
        ("GET", "/"): PUBLIC,
        ("GET", "/records/{global_id}"): PUBLIC,
        ("GET", "/federation"): PUBLIC,
        ("GET", "/experts"): PUBLIC,
        ("GET", "/impact"): PUBLIC,
        ("GET", "/impact/indicators/{code}"): PUBLIC,
        ("GET", "/training"): PUBLIC,
        ("GET", "/training.ics"): PUBLIC,
    },
}

# Bodies for writes whose authorisation is decided after the body is read (the registry looks
# the Node up first); elsewhere an empty body shows the same: 401/403 before validation.
SAMPLE_BODIES: dict[tuple[str, str], Any] = {
    ("PUT", "/api/v1/nodes/{node_id}/services/{kind}"): {
        "base_url": "http://127.0.0.1:9/",
        "api_version": "1.0.0",
    },
    ("POST", "/api/v1/nodes/{node_id}/people"): {"name": "Probe Person", "role": "trainer"},
    ("PATCH", "/api/v1/people/{person_id}"): {"role": "trainer"},
    ("PATCH", "/api/v1/nodes/{node_id}"): {"name": "ELIXIR DE"},
}
