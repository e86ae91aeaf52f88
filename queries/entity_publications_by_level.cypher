// name: entity_publications_by_level
// description: Publications mentioning entity id counted under any of levels ([] = all), newest first, with their study context and best evidence sentence.
// param id: string = ""
// param levels: list = []
// param min_year: int = 0
// param max_year: int = 9999
// param limit: int = 50
// returns: pmid, year, title, design, evidence_levels, models, ms_population, sentence
MATCH (e:Entity {id: $id})<-[m:MENTIONS]-(p:Publication)
WHERE coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
WITH p, m, $levels AS levels
WHERE size(levels) = 0 OR any(l IN p.evidence_levels WHERE l IN levels)
RETURN p.pmid AS pmid, p.year AS year, p.title AS title, p.design AS design, coalesce(p.evidence_levels, []) AS evidence_levels,
       coalesce(p.models, []) AS models, coalesce(p.ms_population, []) AS ms_population, m.sentence AS sentence
ORDER BY coalesce(year, 0) DESC, pmid
LIMIT $limit
