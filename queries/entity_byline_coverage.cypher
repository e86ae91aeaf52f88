// name: entity_byline_coverage
// description: Of the publications mentioning entity id in the year range, how many name at least one author (the rest count for nobody on a people page).
// param id: string = ""
// param min_year: int = 0
// param max_year: int = 9999
// returns: papers, with_authors
MATCH (e:Entity {id: $id})<-[:MENTIONS]-(p:Publication)
WHERE coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
OPTIONAL MATCH (a:Author)-[:AUTHORED]->(p)
WITH p, count(a) AS authors
RETURN count(p) AS papers, coalesce(sum(CASE WHEN authors > 0 THEN 1 ELSE 0 END), 0) AS with_authors
