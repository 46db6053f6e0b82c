"""Root conftest: fixtures live in the plugin ``converge_common.testing.plugin``."""
