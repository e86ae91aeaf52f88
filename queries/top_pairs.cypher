// name: top_pairs
// description: Most frequent co-occurring entity pairs (a of type_a, b of type_b; "" = any), still co-mentioned in or after min_year.
// param type_a: string = ""
// param type_b: string = ""
// param min_year: int = 0
// param min_papers: int = 1
// param limit: int = 25
// returns: a, a_name, b, b_name, papers, sentences, npmi, first_year, last_year
MATCH (x:Entity)-[c:CO_OCCURS]->(y:Entity)
WHERE coalesce(c.last_year, 0) >= $min_year AND c.papers >= $min_papers
WITH x, y, c,
     ($type_a = "" OR x.type = $type_a) AND ($type_b = "" OR y.type = $type_b) AS forward,
     ($type_a = "" OR y.type = $type_a) AND ($type_b = "" OR x.type = $type_b) AS backward
WHERE forward OR backward
WITH c, CASE WHEN forward THEN x ELSE y END AS ea, CASE WHEN forward THEN y ELSE x END AS eb
RETURN ea.id AS a, ea.name AS a_name, eb.id AS b, eb.name AS b_name, c.papers AS papers, c.sentences AS sentences,
       c.npmi AS npmi, c.first_year AS first_year, c.last_year AS last_year
ORDER BY papers DESC, a, b
LIMIT $limit
