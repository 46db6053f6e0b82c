"""The OAI-PMH response document around a verb's body or an error."""

from __future__ import annotations

from datetime import datetime

from converge_common.oai import OAIError

from converge_metadata.publishing.oai.xmltext import attr, datestamp, text

__all__ = ["error_response", "response"]

_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
    'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
)


def _request(base_url: str, arguments: dict[str, str] | None) -> str:
    attrs = "".join(f' {k}="{attr(v)}"' for k, v in (arguments or {}).items())
    return f"<request{attrs}>{text(base_url)}</request>"


def response(*, now: datetime, base_url: str, arguments: dict[str, str], body: str) -> str:
    """``arguments`` includes the verb; they are echoed in ``<request>``."""
    return (
        f"{_OPEN}<responseDate>{datestamp(now)}</responseDate>"
        f"{_request(base_url, arguments)}{body}</OAI-PMH>"
    )


def error_response(
    *, now: datetime, base_url: str, arguments: dict[str, str], error: OAIError
) -> str:
    echoed = arguments if error.echoes_arguments else None
    return (
        f"{_OPEN}<responseDate>{datestamp(now)}</responseDate>"
        f"{_request(base_url, echoed)}"
        f'<error code="{error.code}">{text(error.message)}</error></OAI-PMH>'
    )
