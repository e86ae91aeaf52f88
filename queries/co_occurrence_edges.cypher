// name: co_occurrence_edges
// description: All CO_OCCURS links between entities of types ([] = all) backed by at least min_papers publications, for graph projections.
// param types: list = []
// param min_papers: int = 1
// returns: a, b, papers, sentences, npmi, first_year, last_year
MATCH (x:Entity)-[c:CO_OCCURS]->(y:Entity)
WHERE c.papers >= $min_papers AND (size($types) = 0 OR (x.type IN $types AND y.type IN $types))
RETURN x.id AS a, y.id AS b, c.papers AS papers, c.sentences AS sentences, c.npmi AS npmi,
       c.first_year AS first_year, c.last_year AS last_year
ORDER BY a, b
