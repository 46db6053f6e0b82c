"""ORM tables of the metadata service, one module per table."""

from converge_metadata.models.base import Base
from converge_metadata.models.catalogue_state import CatalogueState
from converge_metadata.models.import_job import ImportJob
from converge_metadata.models.record import Record
from converge_metadata.models.record_facet import FACET_DIMENSIONS, RecordFacet
from converge_metadata.models.record_version import RecordVersion
from converge_metadata.models.usage_event import UsageEvent
from converge_metadata.models.usage_salt import UsageSalt
from converge_metadata.models.workspace_session import workspace_sessions

__all__ = [
    "FACET_DIMENSIONS",
    "Base",
    "CatalogueState",
    "ImportJob",
    "Record",
    "RecordFacet",
    "RecordVersion",
    "UsageEvent",
    "UsageSalt",
    "workspace_sessions",
]
