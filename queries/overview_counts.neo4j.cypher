// Neo4j variant of overview_counts: each count in its own subquery, so labels and relationship types are counted
// from the count store, the year span read from the ends of the year index, and funded publications counted over
// FUNDED_BY (a publication is funded exactly when it has one) instead of reading every Publication node.
CALL { MATCH (p:Publication) RETURN count(p) AS publications }
CALL { MATCH (p:Publication)-[:FUNDED_BY]->() RETURN count(DISTINCT p) AS funded_publications }
CALL { MATCH (p:Publication) WHERE p.year IS NOT NULL WITH p.year AS year ORDER BY year LIMIT 1 RETURN collect(year) AS firsts }
CALL { MATCH (p:Publication) WHERE p.year IS NOT NULL WITH p.year AS year ORDER BY year DESC LIMIT 1 RETURN collect(year) AS lasts }
CALL { MATCH (e:Entity) WHERE e.papers > 0 RETURN count(e) AS entities }
CALL { MATCH (a:Author) RETURN count(a) AS authors }
CALL { MATCH ()-[c:CO_OCCURS]->() RETURN count(c) AS co_occurrences }
RETURN publications, funded_publications, firsts[0] AS first_year, lasts[0] AS last_year, entities, authors, co_occurrences
