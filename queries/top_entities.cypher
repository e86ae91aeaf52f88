// name: top_entities
// description: Most-mentioned entities (of type; "" = all) by publications in the year range (from the EntityYear aggregates).
// param type: string = ""
// param min_year: int = 0
// param max_year: int = 9999
// param limit: int = 25
// returns: id, name, type, papers
MATCH (s:EntityYear)
WHERE ($type = "" OR s.type = $type) AND coalesce(s.year, 0) >= $min_year AND coalesce(s.year, 0) <= $max_year
WITH s.entity AS id, sum(s.papers) AS papers
ORDER BY papers DESC, id
LIMIT $limit
MATCH (e:Entity)
WHERE e.id = id
RETURN e.id AS id, e.name AS name, e.type AS type, papers
ORDER BY papers DESC, id
