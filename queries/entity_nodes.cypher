// name: entity_nodes
// description: All entities (of types; [] = all) with at least min_papers publications, for graph projections.
// param types: list = []
// param min_papers: int = 1
// returns: id, name, type, papers
MATCH (e:Entity)
WHERE (size($types) = 0 OR e.type IN $types) AND e.papers >= $min_papers
RETURN e.id AS id, e.name AS name, e.type AS type, e.papers AS papers
ORDER BY id
