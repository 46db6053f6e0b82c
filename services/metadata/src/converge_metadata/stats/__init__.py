"""Aggregate counts of the catalogue, read by the Node's impact service."""
