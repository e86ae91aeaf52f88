// name: entity_search
// description: Entities whose name or synonym contains q, or whose id is q (case-insensitive); most-studied first.
// param q: string = ""
// param types: list = []
// param limit: int = 25
// returns: id, name, type, papers
WITH toLower($q) AS q
MATCH (e:Entity)
WHERE (size($types) = 0 OR e.type IN $types)
  AND (q = "" OR toLower(e.id) = q OR toLower(e.name) CONTAINS q OR any(s IN e.synonyms WHERE toLower(s) CONTAINS q))
RETURN e.id AS id, e.name AS name, e.type AS type, e.papers AS papers
ORDER BY papers DESC, id
LIMIT $limit
