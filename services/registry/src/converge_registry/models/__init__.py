"""ORM tables of the registry service, one module per table."""

from converge_registry.models.base import Base
from converge_registry.models.change import Change
from converge_registry.models.fdp_ping import FdpPing
from converge_registry.models.node import Node
from converge_registry.models.person import Person
from converge_registry.models.person_expertise import PersonExpertise
from converge_registry.models.person_language import PersonLanguage
from converge_registry.models.service_instance import ServiceInstance
from converge_registry.models.state_transition import StateTransition
from converge_registry.models.webhook_subscription import WebhookSubscription

__all__ = [
    "Base",
    "Change",
    "FdpPing",
    "Node",
    "Person",
    "PersonExpertise",
    "PersonLanguage",
    "ServiceInstance",
    "StateTransition",
    "WebhookSubscription",
]
