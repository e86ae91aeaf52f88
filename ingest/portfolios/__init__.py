"""Funding portfolios shipped with gapmap (YAML, read by ``gapmap ingest funding``) and the scripts that build them."""
