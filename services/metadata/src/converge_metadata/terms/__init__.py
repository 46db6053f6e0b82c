"""Term lookup: the loaded vocabularies' terms found by label, synonym or id."""
