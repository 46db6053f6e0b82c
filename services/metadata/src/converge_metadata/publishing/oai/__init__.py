"""OAI-PMH 2.0 at ``/oai``: six verbs, GET and POST, three formats, sets by type and access."""
