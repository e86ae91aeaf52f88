// name: entity_publications
// description: Publications mentioning entity id (with narrower: or any of its narrower concepts, e.g. progressive MS with PPMS, SPMS and PIRA) in the year range, newest first, with the best evidence sentence of each (the alphabetically first when several concepts are mentioned); skip/limit page through them all.
// param id: string = ""
// param narrower: bool = false
// param min_year: int = 0
// param max_year: int = 9999
// param skip: int = 0
// param limit: int = 50
// returns: pmid, year, title, journal, sentence
OPTIONAL MATCH (n:Entity)-[:BROADER]->(:Entity {id: $id})
WITH CASE WHEN $narrower THEN collect(n.id) ELSE [] END + [$id] AS ids
MATCH (e:Entity)<-[m:MENTIONS]-(p:Publication)
WHERE e.id IN ids AND coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
WITH p, min(m.sentence) AS sentence
RETURN p.pmid AS pmid, p.year AS year, p.title AS title, p.journal AS journal, sentence
ORDER BY coalesce(year, 0) DESC, pmid
SKIP $skip
LIMIT $limit
