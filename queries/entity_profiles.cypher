// name: entity_profiles
// description: Per entity publications mention (types: [] = all): its synonyms (an empty list, which a neo4j-admin import stores as no property, reads as []) and how many publications use it as an experimental tool ("cuprizone-induced", "LPS-stimulated", "Luxol fast blue staining"), for the analytics' specificity rules.
// param types: list = []
// returns: id, synonyms, papers, tool_papers
MATCH (e:Entity)
WHERE e.papers > 0 AND (size($types) = 0 OR e.type IN $types)
RETURN e.id AS id, coalesce(e.synonyms, []) AS synonyms, e.papers AS papers, coalesce(e.tool_papers, 0) AS tool_papers
ORDER BY id
