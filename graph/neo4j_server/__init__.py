"""A private Neo4j 5 Community server per workspace, for tests and local use (``gapmap neo4j start``).

:mod:`.fetch` obtains the server's jars from Maven Central into a cache shared by all workspaces,
:mod:`.config` lays out the workspace's ``neo4j/`` folder and writes ``neo4j.conf``, :mod:`.credentials`
holds the password and the ``NEO4J_*`` settings, and :mod:`.process` starts, finds and stops the server.
"""

from graph.neo4j_server.credentials import BoltSettings
from graph.neo4j_server.fetch import NEO4J_VERSION, Distribution, cache_dir, cached, download, ensure
from graph.neo4j_server.process import ServerState, bolt_settings, start, status, stop

__all__ = [
    "NEO4J_VERSION",
    "BoltSettings",
    "Distribution",
    "ServerState",
    "bolt_settings",
    "cache_dir",
    "cached",
    "download",
    "ensure",
    "start",
    "status",
    "stop",
]
