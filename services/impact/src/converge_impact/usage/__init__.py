"""COUNTER usage: events from the metadata service and from log files, processed by the Code
of Practice for Research Data (release 1) into Dataset Master Reports."""
