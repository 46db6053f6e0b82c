"""FAIR Data Point style pings: ``{"clientUrl": ...}``, held pending for an admin."""
