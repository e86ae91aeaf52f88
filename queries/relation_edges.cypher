// name: relation_edges
// description: Every typed relation edge between entities of the given types (all types when empty), from subject to object when directed, with its papers per year (years / year_papers), for projections and the analytics.
// param types: list = []
// param relation_types: list = []
// param min_papers: int = 1
// returns: a, b, relation, verb, directed, papers, novel_papers, first_year, last_year, years, year_papers
MATCH (x:Entity)-[r:RELATES]->(y:Entity)
WHERE r.papers >= $min_papers
  AND (size($types) = 0 OR (x.type IN $types AND y.type IN $types))
  AND (size($relation_types) = 0 OR r.type IN $relation_types)
RETURN x.id AS a, y.id AS b, r.type AS relation, r.verb AS verb, r.directed AS directed, r.papers AS papers,
       r.novel_papers AS novel_papers, r.first_year AS first_year, r.last_year AS last_year,
       r.years AS years, r.year_papers AS year_papers
ORDER BY a, b, relation
