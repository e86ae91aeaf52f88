// name: relation_agents
// description: Entities that act on entity id by one relation type, e.g. compounds that decrease X (relation=Negative_Correlation, types=Compound) or what increases X (Positive_Correlation): relations the text directs at id first, then undirected ones of that type unless directed_only.
// param id: string = ""
// param relation: string = "Negative_Correlation"
// param types: list = []
// param directed_only: bool = false
// param min_papers: int = 1
// param limit: int = 50
// returns: id, name, type, verb, directed, papers, novel_papers, sentence, pmid
MATCH (o:Entity)-[r:RELATES]-(x:Entity {id: $id})
WHERE r.type = $relation AND r.papers >= $min_papers
  AND (size($types) = 0 OR o.type IN $types)
  AND ((r.directed AND r.subject = o.id) OR (NOT r.directed AND NOT $directed_only))
RETURN o.id AS id, o.name AS name, o.type AS type, r.verb AS verb, r.directed AS directed, r.papers AS papers,
       r.novel_papers AS novel_papers, r.sentence AS sentence, r.pmid AS pmid
ORDER BY directed DESC, papers DESC, id
LIMIT $limit
