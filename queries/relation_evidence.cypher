// name: relation_evidence
// description: Per-paper evidence of the typed relations between a and b: each publication's relation, direction, novelty and the sentence that states it; novel findings first, then newest.
// param a: string = ""
// param b: string = ""
// param relation_types: list = []
// param limit: int = 50
// returns: pmid, year, title, relation, verb, subject, object, directed, novel, score, sentence
MATCH (p:Publication)-[s:STATES]->(x:Entity)
WHERE x.id IN [$a, $b] AND s.object IN [$a, $b] AND s.object <> x.id
  AND (size($relation_types) = 0 OR s.type IN $relation_types)
RETURN p.pmid AS pmid, p.year AS year, p.title AS title, s.type AS relation, s.verb AS verb, x.id AS subject,
       s.object AS object, s.directed AS directed, s.novel AS novel, s.score AS score, s.sentence AS sentence
ORDER BY novel DESC, year DESC, pmid, relation
LIMIT $limit
