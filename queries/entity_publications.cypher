// name: entity_publications
// description: Publications mentioning entity id in the year range, newest first, with the best evidence sentence of each; skip/limit page through them all.
// param id: string = ""
// param min_year: int = 0
// param max_year: int = 9999
// param skip: int = 0
// param limit: int = 50
// returns: pmid, year, title, journal, sentence
MATCH (e:Entity {id: $id})<-[m:MENTIONS]-(p:Publication)
WHERE coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
RETURN p.pmid AS pmid, p.year AS year, p.title AS title, p.journal AS journal, m.sentence AS sentence
ORDER BY coalesce(year, 0) DESC, pmid
SKIP $skip
LIMIT $limit
