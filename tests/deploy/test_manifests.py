"""The deployment files name real settings, real commands and real probes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from converge_common.settings import BaseServiceSettings
from converge_gateway.settings import GatewaySettings
from converge_impact.settings import ImpactSettings
from converge_metadata.settings import MetadataSettings
from converge_registry.settings import RegistrySettings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SETTINGS: dict[str, type[BaseServiceSettings]] = {
    "registry": RegistrySettings,
    "metadata": MetadataSettings,
    "impact": ImpactSettings,
    "gateway": GatewaySettings,
}


def _known(service: str, variable: str) -> bool:
    prefix = f"CONVERGE_{service.upper()}_"
    return variable.startswith(prefix) and (
        variable.removeprefix(prefix).lower() in SETTINGS[service].model_fields
    )


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_kubernetes_manifest(service: str) -> None:
    documents = list(yaml.safe_load_all((DEPLOY / "kubernetes" / f"{service}.yaml").read_text()))
    kinds = {d["kind"]: d for d in documents}
    assert set(kinds) == {"Deployment", "Service", "ConfigMap"}
    config = kinds["ConfigMap"]["data"]
    unknown = [v for v in config if not _known(service, v)]
    assert unknown == [], f"{service}: settings that do not exist: {unknown}"
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    migrates = [c["command"] for c in pod.get("initContainers", [])]
    assert migrates == ([] if service == "gateway" else [[f"converge-{service}", "migrate"]])


@pytest.mark.parametrize("node", ["de", "fi", "pt"])
def test_node_examples_name_real_settings(node: str) -> None:
    for line in (DEPLOY / "nodes" / f"{node}.env").read_text().splitlines():
        if not line or line.startswith("#") or line.startswith("POSTGRES_"):
            continue
        variable = line.split("=", 1)[0]
        service = variable.split("_")[1].lower()
        assert _known(service, variable), variable


def test_compose_services_use_the_image_of_their_service() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    for name, spec in compose["services"].items():
        if "build" in spec:
            assert spec["build"]["args"]["SERVICE"] == name.removesuffix("-migrate")
