// name: pair_publications_by_level
// description: Publications that mention both a and b counted under any of levels ([] = all), with their study context and the sentence backing each entity; same-sentence evidence first, then newest.
// param a: string = ""
// param b: string = ""
// param levels: list = []
// param limit: int = 50
// returns: pmid, year, title, design, evidence_levels, models, ms_population, sentence, other_sentence, same_sentence
MATCH (x:Entity {id: $a})<-[m1:MENTIONS]-(p:Publication)-[m2:MENTIONS]->(y:Entity {id: $b})
WITH p, m1, m2, $levels AS levels
WHERE size(levels) = 0 OR any(l IN p.evidence_levels WHERE l IN levels)
WITH p, m1, m2, (m1.sentence_index >= 0 AND m1.sentence_index = m2.sentence_index) AS same_sentence
RETURN p.pmid AS pmid, p.year AS year, p.title AS title, p.design AS design, coalesce(p.evidence_levels, []) AS evidence_levels,
       coalesce(p.models, []) AS models, coalesce(p.ms_population, []) AS ms_population, m1.sentence AS sentence, m2.sentence AS other_sentence,
       same_sentence
ORDER BY same_sentence DESC, year DESC, pmid
LIMIT $limit
