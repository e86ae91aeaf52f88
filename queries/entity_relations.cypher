// name: entity_relations
// description: Typed relations of entity id (what the literature says it does to others, and what acts on it), with papers, novel papers, papers per year (years / year_papers) and the best evidence sentence and its PMID; direction is out (id acts), in (the other acts) or none.
// param id: string = ""
// param relation_types: list = []
// param types: list = []
// param min_papers: int = 1
// param limit: int = 50
// returns: id, name, type, relation, verb, direction, papers, novel_papers, first_year, last_year, years, year_papers, sentence, pmid
MATCH (e:Entity {id: $id})-[r:RELATES]-(o:Entity)
WHERE r.papers >= $min_papers
  AND (size($relation_types) = 0 OR r.type IN $relation_types)
  AND (size($types) = 0 OR o.type IN $types)
RETURN o.id AS id, o.name AS name, o.type AS type, r.type AS relation, r.verb AS verb,
       CASE WHEN NOT r.directed THEN 'none' WHEN r.subject = $id THEN 'out' ELSE 'in' END AS direction,
       r.papers AS papers, r.novel_papers AS novel_papers, r.first_year AS first_year, r.last_year AS last_year,
       r.years AS years, r.year_papers AS year_papers, r.sentence AS sentence, r.pmid AS pmid
ORDER BY papers DESC, novel_papers DESC, id, relation
LIMIT $limit
