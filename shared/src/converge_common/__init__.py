"""CONVERGE common."""
