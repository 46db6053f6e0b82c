"""The federation's experts: data stewards and trainers from the registry, with their
expertise as EDAM topics the Nodes' term lookup names."""
