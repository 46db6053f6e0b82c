"""ORM tables of the impact service, one module per table."""

from converge_impact.models.base import Base
from converge_impact.models.derived_value import DerivedValue
from converge_impact.models.indicator import Indicator
from converge_impact.models.reported_value import ReportedValue
from converge_impact.models.usage_dataset import UsageDataset
from converge_impact.models.usage_event import UsageEvent
from converge_impact.models.usage_feed_state import UsageFeedState
from converge_impact.models.usage_monthly import UsageMonthly
from converge_impact.models.value_change import ValueChange
from converge_impact.models.workspace_session import workspace_sessions

__all__ = [
    "Base",
    "DerivedValue",
    "Indicator",
    "ReportedValue",
    "UsageDataset",
    "UsageEvent",
    "UsageFeedState",
    "UsageMonthly",
    "ValueChange",
    "workspace_sessions",
]
