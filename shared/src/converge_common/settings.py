"""Settings: one base class, a subclass per service with its own environment prefix.

Every service reads ``CONVERGE_<SERVICE>_*`` variables. Defaults run the embedded demo
(SQLite files under a data directory, development mode); production refuses to start with
placeholder secrets.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from converge_common.headers import API_POLICY, PAGE_POLICY

__all__ = [
    "PLACEHOLDER_SECRETS",
    "BaseServiceSettings",
    "NodeServiceSettings",
    "RoleRule",
    "cached_settings",
]

Environment = Literal["development", "test", "production"]

# Values that ship in examples and docs; refused as secrets outside development.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev-secret", "password"})


class RoleRule(BaseModel):
    """Maps an entitlement value matching ``pattern`` (a regular expression) to a role.

    ``role`` may use groups of the pattern, e.g. pattern
    ``urn:geant:lifescience-ri.eu:group:elixir-(?P<node>[a-z]+):stewards#aai.lifescience-ri.eu``
    with role ``node:{node}:steward``.
    """

    model_config = ConfigDict(extra="forbid")

    pattern: str
    role: str


class BaseServiceSettings(BaseSettings):
    """Settings every service shares. Subclasses set ``env_prefix``."""

    model_config = SettingsConfigDict(
        env_prefix="CONVERGE_",
        env_file=None,
        extra="ignore",
        env_nested_delimiter="__",
    )

    service_name: str = "converge"
    environment: Environment = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    # Embedded default: migrate on start; production runs migrations as a separate step.
    auto_migrate: bool | None = None
    database_pool_size: int = Field(default=5, ge=1, le=100)
    # how long a request waits to connect (or for a pooled connection) before answering 503
    database_connect_timeout_s: float = Field(default=5.0, gt=0, le=60)

    public_url: str = ""

    log_level: str = "INFO"
    log_json: bool = True

    # OpenID Connect
    oidc_issuer: str = ""
    oidc_audience: str = ""
    oidc_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])
    oidc_leeway_s: int = Field(default=30, ge=0, le=300)
    oidc_jwks_cache_s: int = Field(default=3600, ge=10)
    oidc_jwks_min_refresh_s: float = Field(default=10.0, ge=0)
    oidc_role_rules: list[RoleRule] = Field(default_factory=list)

    # Pagination
    page_size_default: int = Field(default=20, ge=1)
    page_size_max: int = Field(default=100, ge=1)

    # Outgoing HTTP
    http_connect_timeout_s: float = Field(default=2.0, gt=0)
    http_read_timeout_s: float = Field(default=5.0, gt=0)
    http_total_timeout_s: float = Field(default=10.0, gt=0)
    http_max_response_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    http_retries: int = Field(default=2, ge=0, le=10)

    cors_origins: list[str] = Field(default_factory=list)

    # Incoming requests (bytes): larger ones get 414, 431 or 413 before a route runs
    request_max_url_bytes: int = Field(default=8 * 1024, ge=256)
    request_max_header_bytes: int = Field(default=16 * 1024, ge=1024)
    request_max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Content-Security-Policy of API answers and of HTML pages (a response may set its own)
    content_security_policy: str = API_POLICY
    page_content_security_policy: str = PAGE_POLICY

    # Signs opaque cursors and similar tokens; must be set outside development.
    secret_key: SecretStr = SecretStr("dev-secret")

    @model_validator(mode="after")
    def _defaults_and_secrets(self) -> BaseServiceSettings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / (self.service_name + '.db')}"
        if self.auto_migrate is None:
            self.auto_migrate = self.database_url.startswith("sqlite")
        if self.environment == "production":
            for name, value in self._secrets().items():
                plain = value.get_secret_value().strip().lower()
                # an unset optional credential is not a placeholder; the signing key is required
                if plain in PLACEHOLDER_SECRETS and (plain or name == "secret_key"):
                    raise ValueError(
                        f"{name} is a placeholder secret; set a real value outside development"
                    )
            if not self.oidc_issuer or not self.oidc_audience:
                raise ValueError("oidc_issuer and oidc_audience are required in production")
        return self

    def _secrets(self) -> dict[str, SecretStr]:
        return {
            name: value
            for name in type(self).model_fields
            if isinstance(value := getattr(self, name), SecretStr)
        }

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class NodeServiceSettings(BaseServiceSettings):
    """A service a Node runs (metadata, impact): which Node, and how it joins the federation."""

    node_id: str = Field(default="xx", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    node_name: str = "Demo Node"
    registry_url: str = ""
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    # the registry's audience for client-credentials tokens; empty: this service's own
    registry_audience: str = ""
    heartbeat_interval_s: float = Field(default=60.0, gt=0)

    # The Node workspace (pages for stewards under /workspace/, converge_common.workspace):
    # a confidential OpenID Connect client of its own, signed in by authorization code + PKCE
    workspace_client_id: str = Field(default="", description="empty: the workspace is off")
    workspace_client_secret: SecretStr = SecretStr("")
    workspace_redirect_uri: str = Field(
        default="", description="default: PUBLIC_URL + /workspace/callback"
    )
    workspace_scope: str = "openid profile email"
    workspace_resource: str = Field(
        default="",
        description="resource indicator (RFC 8707) of the access token asked for; default: "
        "OIDC_AUDIENCE, so that the token carries roles exactly as the API reads them",
    )
    workspace_session_idle_s: int = Field(default=30 * 60, ge=60, le=7 * 24 * 3600)
    workspace_session_max_s: int = Field(default=8 * 3600, ge=300, le=30 * 24 * 3600)


S = TypeVar("S", bound=BaseServiceSettings)


def cached_settings(cls: type[S]) -> Callable[[], S]:
    """A cached getter for ``cls`` (call ``.cache_clear()`` on it in tests)."""

    @lru_cache(maxsize=1)
    def get_settings() -> S:
        return cls()

    get_settings.__doc__ = f"The process-wide {cls.__name__}, read once from the environment."
    return get_settings
