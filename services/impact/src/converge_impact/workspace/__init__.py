"""The impact service's pages of the Node workspace (``/workspace/``): stewards enter, correct
and submit reported values with their evidence, Node admins validate them; everyone with a
role for the Node sees derived values and their sources, uploads CSV files, views the charts
and downloads the annual report."""
