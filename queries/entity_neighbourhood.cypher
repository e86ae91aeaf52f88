// name: entity_neighbourhood
// description: Entities mentioned in the same publications as entity id, counted over publications in the year range (funded ones only if asked). For neighbours of neighbours use graph.to_networkx.
// param id: string = ""
// param types: list = []
// param min_year: int = 0
// param max_year: int = 9999
// param funded_only: bool = false
// param limit: int = 50
// returns: id, name, type, papers
MATCH (a:Entity {id: $id})<-[:MENTIONS]-(p:Publication)-[:MENTIONS]->(b:Entity)
WHERE b.id <> a.id AND coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
  AND (NOT $funded_only OR p.funded) AND (size($types) = 0 OR b.type IN $types)
RETURN b.id AS id, b.name AS name, b.type AS type, count(DISTINCT p) AS papers
ORDER BY papers DESC, id
LIMIT $limit
