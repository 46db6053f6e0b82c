"""Root conftest: fixtures live in the plugin ``converge_common.testing.plugin``; the browser
tests' ``chromium`` fixture in ``tests/browser.py``."""

pytest_plugins = ["tests.browser"]
