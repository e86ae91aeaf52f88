// name: entity_people
// description: Authors of publications mentioning entity id in the year range, most prolific first.
// param id: string = ""
// param min_year: int = 0
// param max_year: int = 9999
// param limit: int = 25
// returns: id, name, papers, last_year
MATCH (e:Entity {id: $id})<-[:MENTIONS]-(p:Publication)<-[:AUTHORED]-(a:Author)
WHERE coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
RETURN a.id AS id, a.name AS name, count(DISTINCT p) AS papers, max(p.year) AS last_year
ORDER BY papers DESC, id
LIMIT $limit
