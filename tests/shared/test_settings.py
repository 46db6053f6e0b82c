"""Settings: environment prefixes, placeholder secrets, defaults for the embedded demo."""

from __future__ import annotations

import pytest
from converge_common.settings import BaseServiceSettings
from converge_metadata.settings import MetadataSettings, get_settings
from pydantic import ValidationError


def test_service_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVERGE_METADATA_NODE_ID", "fi")
    monkeypatch.setenv("CONVERGE_METADATA_DATABASE_URL", "sqlite+aiosqlite:///x.db")
    get_settings.cache_clear()
    try:
        settings = get_settings()
        assert settings.node_id == "fi"
        assert settings.database_url == "sqlite+aiosqlite:///x.db"
        assert settings.auto_migrate is True
    finally:
        get_settings.cache_clear()


def test_default_database_is_sqlite_under_data_dir(tmp_path: object) -> None:
    settings = MetadataSettings(data_dir=tmp_path)  # type: ignore[arg-type]
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/metadata.db"


def test_production_refuses_placeholder_secret() -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        BaseServiceSettings(
            environment="production",
            oidc_issuer="https://i",
            oidc_audience="a",
            secret_key="changeme",  # type: ignore[arg-type]
        )


def test_production_accepts_real_secret() -> None:
    settings = BaseServiceSettings(
        environment="production",
        oidc_issuer="https://i",
        oidc_audience="a",
        secret_key="k3J9-long-random-value",  # type: ignore[arg-type]
        database_url="postgresql+asyncpg://u@h/d",
    )
    assert settings.auto_migrate is False
    assert "k3J9" not in repr(settings)


def test_development_allows_placeholder() -> None:
    assert BaseServiceSettings(secret_key="changeme").environment == "development"  # type: ignore[arg-type]


def test_node_id_must_be_a_slug() -> None:
    with pytest.raises(ValidationError):
        MetadataSettings(node_id="Not A Slug")
