// name: entity_timeline
// description: Publications per year that mention entity id.
// param id: string = ""
// returns: year, papers
MATCH (e:Entity {id: $id})<-[:MENTIONS]-(p:Publication)
WHERE p.year IS NOT NULL
RETURN p.year AS year, count(DISTINCT p) AS papers
ORDER BY year
