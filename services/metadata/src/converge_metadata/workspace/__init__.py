"""The Node workspace: stewards curate the catalogue in a browser (server-rendered pages)."""
