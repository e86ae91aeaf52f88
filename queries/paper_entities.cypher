// name: paper_entities
// description: Every (publication, entity) mention pair in the year range, for analytics; types filters entity types.
// param min_year: int = 0
// param max_year: int = 9999
// param types: list = []
// returns: pmid, year, id, type, name
MATCH (p:Publication)-[:MENTIONS]->(e:Entity)
WHERE coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year AND (size($types) = 0 OR e.type IN $types)
RETURN p.pmid AS pmid, p.year AS year, e.id AS id, e.type AS type, e.name AS name
ORDER BY pmid, id
