// name: entity_people
// description: Authors of publications mentioning entity id (with narrower: or any of its narrower concepts, e.g. progressive MS with PPMS, SPMS and PIRA) in the year range, most prolific first.
// param id: string = ""
// param narrower: bool = false
// param min_year: int = 0
// param max_year: int = 9999
// param limit: int = 25
// returns: id, name, papers, last_year
OPTIONAL MATCH (n:Entity)-[:BROADER]->(:Entity {id: $id})
WITH CASE WHEN $narrower THEN collect(n.id) ELSE [] END + [$id] AS ids
MATCH (e:Entity)<-[:MENTIONS]-(p:Publication)<-[:AUTHORED]-(a:Author)
WHERE e.id IN ids AND coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
RETURN a.id AS id, a.name AS name, count(DISTINCT p) AS papers, max(p.year) AS last_year
ORDER BY papers DESC, id
LIMIT $limit
