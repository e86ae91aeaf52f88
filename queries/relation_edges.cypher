// name: relation_edges
// description: Every typed relation edge between entities of the given types (all types when empty), from subject to object when directed, for projections and the explorer.
// param types: list = []
// param relation_types: list = []
// param min_papers: int = 1
// returns: a, b, relation, verb, directed, papers, novel_papers, first_year, last_year
MATCH (x:Entity)-[r:RELATES]->(y:Entity)
WHERE r.papers >= $min_papers
  AND (size($types) = 0 OR (x.type IN $types AND y.type IN $types))
  AND (size($relation_types) = 0 OR r.type IN $relation_types)
RETURN x.id AS a, y.id AS b, r.type AS relation, r.verb AS verb, r.directed AS directed, r.papers AS papers,
       r.novel_papers AS novel_papers, r.first_year AS first_year, r.last_year AS last_year
ORDER BY a, b, relation
