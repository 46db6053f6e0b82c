"""Benchmarks (``make bench``): each module measures one target and writes its section of
``docs/benchmarks.md`` with the machine, the command and the figures."""
