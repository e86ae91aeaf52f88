"""Obtain Neo4j 5 Community from Maven Central, once, into a cache outside the repository.

Neo4j does not publish its server tarball to Maven Central, but it does publish every jar of the server
(``org.neo4j:neo4j`` depends on the whole Community server, Bolt and Cypher included).  So Maven resolves that
one artifact into a local repository inside the cache and writes the runtime classpath to a file; the server is
then launched straight from those jars.  The classpath file is written last, so its presence means "complete",
and later runs reuse the cache without touching the network.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.atomic import atomic_path
from core.errors import GapmapError
from core.settings import settings
from graph.neo4j_server.locking import exclusive

NEO4J_VERSION = "5.26.30"
"""Latest patch of the 5.26 LTS line on Maven Central (checked 2026-11); runs on Java 17 and 21."""
SUPPORTED_JAVA = range(17, 22)

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>gapmap</groupId>
  <artifactId>neo4j-server-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>neo4j</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""


@dataclass(frozen=True)
class Distribution:
    """One cached Neo4j version: the jars the server runs from."""

    version: str
    classpath: tuple[Path, ...]

    @property
    def size_bytes(self) -> int:
        return sum(jar.stat().st_size for jar in self.classpath)


def cache_dir() -> Path:
    """``$GAPMAP_CACHE/neo4j``, else ``~/.cache/gapmap/neo4j``: shared by every workspace, outside the repo."""
    return settings().cache.resolve() / "neo4j"


def find_java() -> Path:
    """The ``java`` of ``$JAVA_HOME``, else the one on PATH, checked to be a version Neo4j 5.26 runs on."""
    java_home = settings().java_home
    found = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    hint = "install Java 17 or 21 (e.g. apt-get install openjdk-17-jre-headless) and/or set JAVA_HOME to it"
    if not found or not Path(found).is_file():
        raise GapmapError("Java is needed to run Neo4j but no `java` was found (JAVA_HOME or PATH)", hint)
    probe = subprocess.run([found, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)', probe.stderr + probe.stdout)
    major = int(match.group(1)) if match else 0
    if major not in SUPPORTED_JAVA:
        raise GapmapError(f"{found} is Java {major or '?'}; Neo4j {NEO4J_VERSION} needs Java 17 or 21", hint)
    return Path(found)


def find_maven() -> Path:
    """The ``mvn`` on PATH; only needed for the first download."""
    found = shutil.which("mvn")
    if not found:
        raise GapmapError(
            "Maven (mvn) is needed to download Neo4j the first time but was not found on PATH",
            "install Maven 3 (e.g. apt-get install maven), or run your own Neo4j and set NEO4J_URI (docs/neo4j.md)",
        )
    return Path(found)


def cached(version: str = NEO4J_VERSION, cache: Path | None = None) -> Distribution | None:
    """The distribution if a previous run downloaded it completely, else None."""
    listing = (cache or cache_dir()) / version / "classpath.txt"
    if not listing.is_file():
        return None
    jars = tuple(Path(entry) for entry in listing.read_text().split(os.pathsep) if entry.strip())
    if not jars or not all(jar.is_file() for jar in jars):
        return None
    return Distribution(version, jars)


def ensure(on_progress: Callable[[int], None] | None = None) -> Distribution:
    """The default version's jars: from the cache, else downloaded."""
    return cached() or download(on_progress=on_progress)


def download(
    version: str = NEO4J_VERSION,
    cache: Path | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Distribution:
    """Resolve the server's jars with Maven into the cache; ``on_progress`` gets the number of jars so far.

    Another process downloading into the same cache is waited for, and its result reused."""
    cache = cache or cache_dir()
    with exclusive(cache / "download.lock"):
        return cached(version, cache) or _resolve(version, cache, on_progress)


def _resolve(version: str, cache: Path, on_progress: Callable[[int], None] | None) -> Distribution:
    mvn = find_maven()
    folder = cache / version
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pom.xml").write_text(_POM.format(version=version))
    repository = cache / "m2"
    log = folder / "maven.log"
    with atomic_path(folder / "classpath.txt") as partial:
        _run_maven(mvn, folder / "pom.xml", repository, partial, log, on_progress)
        if not partial.is_file():
            raise GapmapError(
                f"downloading Neo4j {version} with Maven failed: {_first_error(log)}",
                f"full Maven output in {log}; check access to Maven Central (or the mirror in ~/.m2/settings.xml)",
            )
    distribution = cached(version, cache)
    if distribution is None:
        raise GapmapError(f"Maven finished but the Neo4j {version} jars are incomplete in {folder}", f"see {log}")
    return distribution


def _run_maven(
    mvn: Path, pom: Path, repository: Path, out: Path, log: Path, on_progress: Callable[[int], None] | None
) -> None:
    """Resolve the runtime classpath of ``pom`` into ``out``, reporting the jars fetched so far."""
    command = [
        str(mvn),
        "-B",
        "-q",
        "-Dstyle.color=never",
        "-f",
        str(pom),
        f"-Dmaven.repo.local={repository}",
        "dependency:build-classpath",
        "-DincludeScope=runtime",
        f"-Dmdep.outputFile={out}",
    ]
    with log.open("w") as output:
        maven = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        while maven.poll() is None:
            if on_progress:
                on_progress(sum(1 for _ in repository.rglob("*.jar")) if repository.is_dir() else 0)
            time.sleep(1.0)
    if maven.returncode != 0:
        out.unlink(missing_ok=True)


def _first_error(log: Path) -> str:
    """The first informative ``[ERROR]`` line of Maven's output (the rest is boilerplate advice)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(errors="replace"))
    errors = [line.split("[ERROR]", 1)[1].strip() for line in text.splitlines() if "[ERROR]" in line]
    boilerplate = ("->", "[Help", "To see", "Re-run", "For more")
    informative = [
        line.removesuffix("-> [Help 1]").strip() for line in errors if line and not line.startswith(boilerplate)
    ]
    return (informative or [text.strip()[-400:] or "no output"])[0][:400]
