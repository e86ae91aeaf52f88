// name: top_pairs
// description: Most frequent co-occurring entity pairs (a of type_a, b of type_b; "" = any), still co-mentioned in or after min_year.
// param type_a: string = ""
// param type_b: string = ""
// param min_year: int = 0
// param min_papers: int = 1
// param limit: int = 25
// returns: a, a_name, b, b_name, papers, sentences, npmi, first_year, last_year
MATCH (x:Entity)-[c:CO_OCCURS]->(y:Entity)
WHERE (($type_a = "" OR x.type = $type_a) AND ($type_b = "" OR y.type = $type_b))
   OR (($type_a = "" OR y.type = $type_a) AND ($type_b = "" OR x.type = $type_b))
WITH x, y, c
WHERE coalesce(c.last_year, 0) >= $min_year AND c.papers >= $min_papers
WITH x.id AS xid, x.name AS xname, y.id AS yid, y.name AS yname, c.papers AS papers, c.sentences AS sentences,
     c.npmi AS npmi, c.first_year AS first_year, c.last_year AS last_year,
     ($type_a = "" OR x.type = $type_a) AND ($type_b = "" OR y.type = $type_b) AS forward
RETURN CASE WHEN forward THEN xid ELSE yid END AS a, CASE WHEN forward THEN xname ELSE yname END AS a_name,
       CASE WHEN forward THEN yid ELSE xid END AS b, CASE WHEN forward THEN yname ELSE xname END AS b_name,
       papers, sentences, npmi, first_year, last_year
ORDER BY papers DESC, a, b
LIMIT $limit
