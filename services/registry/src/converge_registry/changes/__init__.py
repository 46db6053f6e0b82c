"""The change feed: joins, leaves, updates and state changes, in order, with long-polling."""
