// name: relation_links
// description: The typed relations among the entities ids (both ends in the list), of relation_types ([] = all), backed by at least min_papers papers: one row per entity pair and type, from subject to object when directed, with papers per year (years / year_papers) and the best evidence sentence and its PMID; what the explorer draws on a neighbourhood's links (ids = [a, b]: the relations of one link).
// param ids: list = []
// param relation_types: list = []
// param min_papers: int = 1
// returns: a, b, relation, verb, directed, papers, novel_papers, years, year_papers, sentence, pmid
MATCH (x:Entity)-[r:RELATES]->(y:Entity)
WHERE x.id IN $ids AND y.id IN $ids AND r.papers >= $min_papers
  AND (size($relation_types) = 0 OR r.type IN $relation_types)
RETURN x.id AS a, y.id AS b, r.type AS relation, r.verb AS verb, r.directed AS directed, r.papers AS papers,
       r.novel_papers AS novel_papers, r.years AS years, r.year_papers AS year_papers, r.sentence AS sentence,
       r.pmid AS pmid
ORDER BY papers DESC, a, b, relation
