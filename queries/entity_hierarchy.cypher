// name: entity_hierarchy
// description: The broader concepts of entity id (direction "broader": progressive MS → MS) and its narrower ones (direction "narrower": progressive MS → PPMS, SPMS, PIRA) up to max_distance steps, nearest first, with their publications (0 for a class no publication mentions).
// param id: string = ""
// param max_distance: int = 99
// returns: direction, id, name, type, papers, distance, source
MATCH (x:Entity)-[b:BROADER]->(y:Entity)
WHERE (x.id = $id OR y.id = $id) AND b.distance <= $max_distance
RETURN CASE WHEN x.id = $id THEN "broader" ELSE "narrower" END AS direction,
       CASE WHEN x.id = $id THEN y.id ELSE x.id END AS id,
       CASE WHEN x.id = $id THEN y.name ELSE x.name END AS name,
       CASE WHEN x.id = $id THEN y.type ELSE x.type END AS type,
       CASE WHEN x.id = $id THEN y.papers ELSE x.papers END AS papers,
       b.distance AS distance, b.source AS source
ORDER BY direction, distance, papers DESC, id
