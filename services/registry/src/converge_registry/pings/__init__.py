"""pings."""
