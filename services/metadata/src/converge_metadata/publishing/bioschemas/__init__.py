"""Bioschemas JSON-LD, the HTML landing pages that embed it, and the sitemap."""

from converge_metadata.publishing.bioschemas.serializer import PROFILES, to_bioschemas

__all__ = ["PROFILES", "to_bioschemas"]
