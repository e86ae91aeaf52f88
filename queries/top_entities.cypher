// name: top_entities
// description: Most-mentioned entities (of type; "" = all) by publications in the year range.
// param type: string = ""
// param min_year: int = 0
// param max_year: int = 9999
// param limit: int = 25
// returns: id, name, type, papers
MATCH (p:Publication)-[:MENTIONS]->(e:Entity)
WHERE ($type = "" OR e.type = $type) AND coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
RETURN e.id AS id, e.name AS name, e.type AS type, count(DISTINCT p) AS papers
ORDER BY papers DESC, id
LIMIT $limit
