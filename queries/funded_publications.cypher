// name: funded_publications
// description: Publications linked to an award (or to any award of a programme; both "" = all), with how each link was made.
// param award: string = ""
// param programme: string = ""
// param limit: int = 200
// returns: pmid, title, year, award, award_title, programme, provenance
MATCH (p:Publication)-[f:FUNDED_BY]->(a:Award)
OPTIONAL MATCH (a)-[:PART_OF]->(g:Programme)
WITH p, f, a, g
WHERE ($award = "" OR a.id = $award) AND ($programme = "" OR g.id = $programme)
RETURN p.pmid AS pmid, p.title AS title, p.year AS year, a.id AS award, a.title AS award_title,
       g.id AS programme, f.provenance AS provenance
ORDER BY year DESC, pmid, award, provenance
LIMIT $limit
