"""Signing in to a Node workspace from a test, through the real OpenID provider.

The provider logs in the account named by ``login_hint`` without a form; the test follows its
redirects by hand and hands the callback to the service's client, which then holds the
session cookie.
"""

from __future__ import annotations

from urllib.parse import urlencode, urljoin, urlsplit

import httpx

__all__ = ["provider_redirect", "sign_in"]

_MAX_REDIRECTS = 10


async def provider_redirect(authorization_url: str, account: str, *, callback_path: str) -> str:
    """Where the provider sends the browser back (``callback_path?code=…&state=…``) after
    logging ``account`` in and consenting."""
    url = f"{authorization_url}&{urlencode({'login_hint': account})}"
    async with httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=10) as http:
        for _ in range(_MAX_REDIRECTS):
            response = await http.get(url)
            if response.status_code not in (302, 303):
                raise AssertionError(f"the provider stopped at {url}: {response.text[:500]}")
            url = urljoin(str(response.url), response.headers["location"])
            if urlsplit(url).path == callback_path:
                return url
    raise AssertionError("too many redirects at the provider")


async def sign_in(
    client: httpx.AsyncClient,
    account: str,
    *,
    next_path: str = "/workspace/",
    prefix: str = "/workspace",
) -> httpx.Response:
    """Sign ``account`` in on ``client`` (the service); the answer of the callback."""
    start = await client.get(f"{prefix}/sign-in", params={"next": next_path})
    if start.status_code != 303:
        raise AssertionError(f"sign-in answered {start.status_code}: {start.text[:500]}")
    back = await provider_redirect(
        start.headers["location"], account, callback_path=f"{prefix}/callback"
    )
    parts = urlsplit(back)
    return await client.get(f"{parts.path}?{parts.query}")
