"""Usage events: COUNTER investigations and requests, recorded as they happen."""
