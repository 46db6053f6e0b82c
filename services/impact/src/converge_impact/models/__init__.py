"""ORM tables of the impact service, one module per table."""

from converge_impact.models.base import Base
from converge_impact.models.usage_dataset import UsageDataset
from converge_impact.models.usage_event import UsageEvent
from converge_impact.models.usage_feed_state import UsageFeedState
from converge_impact.models.usage_monthly import UsageMonthly

__all__ = ["Base", "UsageDataset", "UsageEvent", "UsageFeedState", "UsageMonthly"]
