// name: entity_timeline
// description: Publications per year that mention entity id (from the EntityYear aggregates).
// param id: string = ""
// returns: year, papers
MATCH (s:EntityYear)
WHERE s.entity = $id AND s.year IS NOT NULL
RETURN s.year AS year, s.papers AS papers
ORDER BY year
