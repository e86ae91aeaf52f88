// name: concept_hierarchy
// description: Every broader-concept link (child is a kind of parent, distance steps up: a transitive closure) of children of types ([] = all), with the parent's name, type and publications (0 for a class no publication mentions); for roll-ups.
// param types: list = []
// returns: child, parent, parent_name, parent_type, parent_papers, distance, source
MATCH (c:Entity)-[b:BROADER]->(p:Entity)
WHERE size($types) = 0 OR c.type IN $types
RETURN c.id AS child, p.id AS parent, p.name AS parent_name, p.type AS parent_type, p.papers AS parent_papers,
       b.distance AS distance, b.source AS source
ORDER BY child, parent
