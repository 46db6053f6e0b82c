"""DataCite Metadata Schema 4.x (kernel-4) serialisation."""

from converge_metadata.publishing.datacite.serializer import (
    DATACITE_NS,
    DATACITE_SCHEMA,
    datacite_element,
    to_datacite_xml,
)

__all__ = ["DATACITE_NS", "DATACITE_SCHEMA", "datacite_element", "to_datacite_xml"]
