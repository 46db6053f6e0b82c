"""Import records from files: our own JSON Lines, bio.tools, Bioschemas JSON-LD, DataCite XML."""
