// name: entity_countries
// description: Countries of the institutions behind publications mentioning entity id, by publications.
// param id: string = ""
// param min_year: int = 0
// param max_year: int = 9999
// returns: country, papers
MATCH (e:Entity {id: $id})<-[:MENTIONS]-(p:Publication)<-[:AUTHORED]-(:Author)-[:AFFILIATED_WITH]->(i:Institution)
WHERE i.country <> "" AND coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
RETURN i.country AS country, count(DISTINCT p) AS papers
ORDER BY papers DESC, country
