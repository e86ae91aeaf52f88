// name: entity_neighbourhood
// description: Entities mentioned in the same publications as entity id, counted over publications in the year range (funded ones only if asked), from the per-year CO_OCCURS_IN counts. For neighbours of neighbours use graph.to_networkx.
// param id: string = ""
// param types: list = []
// param min_year: int = 0
// param max_year: int = 9999
// param funded_only: bool = false
// param limit: int = 50
// returns: id, name, type, papers
MATCH (a:Entity {id: $id})-[c:CO_OCCURS_IN]-(b:Entity)
WHERE coalesce(c.year, 0) >= $min_year AND coalesce(c.year, 0) <= $max_year
  AND (size($types) = 0 OR b.type IN $types)
WITH b, sum(CASE WHEN $funded_only THEN c.funded_papers ELSE c.papers END) AS papers
WHERE papers > 0
RETURN b.id AS id, b.name AS name, b.type AS type, papers
ORDER BY papers DESC, id
LIMIT $limit
