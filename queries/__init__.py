"""The named Cypher queries (``*.cypher``), shipped as package data and read by :mod:`graph.queries`."""
