"""Publication for harvesters and machines: OAI-PMH, DCAT-AP, FAIR Data Point, Bioschemas,
DataCite, landing pages, the sitemap and the FAIR self-assessment."""
