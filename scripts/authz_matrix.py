"""Write the authorisation matrix into ``docs/reliability.md`` (``## Authorisation matrix``)."""

from __future__ import annotations

from pathlib import Path

from tests.security.authz_matrix import render, replace_section

DOC = Path(__file__).resolve().parent.parent / "docs" / "reliability.md"


def main() -> None:
    text = DOC.read_text() if DOC.exists() else "# Reliability and security\n"
    DOC.write_text(replace_section(text, render()))
    print(f"wrote the authorisation matrix to {DOC}")


if __name__ == "__main__":
    main()
