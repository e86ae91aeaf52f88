// name: entity_institutions
// description: Institutions (with country) of the authors of publications mentioning entity id (with narrower: or any of its narrower concepts, e.g. progressive MS with PPMS, SPMS and PIRA), by publications.
// param id: string = ""
// param narrower: bool = false
// param min_year: int = 0
// param max_year: int = 9999
// param limit: int = 25
// returns: id, name, country, papers
OPTIONAL MATCH (n:Entity)-[:BROADER]->(:Entity {id: $id})
WITH CASE WHEN $narrower THEN collect(n.id) ELSE [] END + [$id] AS ids
MATCH (e:Entity)<-[:MENTIONS]-(p:Publication)<-[:AUTHORED]-(:Author)-[:AFFILIATED_WITH]->(i:Institution)
WHERE e.id IN ids AND coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
RETURN i.id AS id, i.name AS name, i.country AS country, count(DISTINCT p) AS papers
ORDER BY papers DESC, id
LIMIT $limit
