// name: entity_institutions
// description: Institutions (with country) of the authors of publications mentioning entity id, by publications.
// param id: string = ""
// param min_year: int = 0
// param max_year: int = 9999
// param limit: int = 25
// returns: id, name, country, papers
MATCH (e:Entity {id: $id})<-[:MENTIONS]-(p:Publication)<-[:AUTHORED]-(:Author)-[:AFFILIATED_WITH]->(i:Institution)
WHERE coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
RETURN i.id AS id, i.name AS name, i.country AS country, count(DISTINCT p) AS papers
ORDER BY papers DESC, id
LIMIT $limit
