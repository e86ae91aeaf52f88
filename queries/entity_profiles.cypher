// name: entity_profiles
// description: Per entity publications mention (types: [] = all): its synonyms (an empty list, which a neo4j-admin import stores as no property, reads as []), how many publications use it as an experimental tool ("cuprizone-induced", "LPS-stimulated", "Luxol fast blue staining"), and for a compound how many give it ("treated with", "10 mg/kg") and how many measure it ("serum levels of"), for the analytics' specificity rules and the translational gaps' read-outs.
// param types: list = []
// returns: id, synonyms, papers, tool_papers, given_papers, measured_papers
MATCH (e:Entity)
WHERE e.papers > 0 AND (size($types) = 0 OR e.type IN $types)
RETURN e.id AS id, coalesce(e.synonyms, []) AS synonyms, e.papers AS papers, coalesce(e.tool_papers, 0) AS tool_papers,
       coalesce(e.given_papers, 0) AS given_papers, coalesce(e.measured_papers, 0) AS measured_papers
ORDER BY id
