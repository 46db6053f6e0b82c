"""FAIR self-assessment ("FAIR at source"): metric by metric, with hints for the steward."""
