"""Test support shared by every service: databases, the OpenID provider, ASGI clients.

Loaded by pytest as the plugin ``converge_common.testing.plugin``; nothing here is imported
by a running service.
"""
