// name: award_pi_publications
// description: Publications with an author whose name and initials are those of a principal investigator of the award (a hint for linking papers to it, not evidence of funding), newest first.
// param award: string = ""
// param limit: int = 50
// returns: pmid, year, title, journal, author
MATCH (a:Award {id: $award})
MATCH (pi:Author)-[:AUTHORED]->(p:Publication)
WHERE pi.id IN a.pi_ids
RETURN p.pmid AS pmid, p.year AS year, p.title AS title, p.journal AS journal, pi.name AS author
ORDER BY coalesce(year, 0) DESC, pmid
LIMIT $limit
