"""The Nodes' expert network: data stewards and trainers, searchable by expertise and language."""
