"""DCAT-AP 3 catalogue and FAIR Data Point surface at ``/dcat`` and ``/fdp``."""
