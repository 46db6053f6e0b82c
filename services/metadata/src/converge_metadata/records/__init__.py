"""Records: the catalogue's datasets, software, training materials and course instances."""
