"""Webhook subscribers of the change feed: admin endpoints and the signed sender."""
