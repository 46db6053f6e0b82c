"""``converge``: the operator's command line for a CONVERGE federation.

It talks to the services over their HTTP APIs (and to a service's database only for backup and
restore); it imports no service package, as the services import none of each other.
"""
