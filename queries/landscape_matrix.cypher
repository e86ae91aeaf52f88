// name: landscape_matrix
// description: Publications mentioning both a row_type and a col_type entity, per (row, col) cell, in the year range; the densest limit cells.
// param row_type: string = "Mechanism"
// param col_type: string = "Compound"
// param min_year: int = 0
// param max_year: int = 9999
// param limit: int = 400
// returns: row, row_name, col, col_name, papers
MATCH (r:Entity)<-[:MENTIONS]-(p:Publication)-[:MENTIONS]->(c:Entity)
WHERE r.type = $row_type AND c.type = $col_type AND r.id <> c.id
  AND coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
RETURN r.id AS row, r.name AS row_name, c.id AS col, c.name AS col_name, count(DISTINCT p) AS papers
ORDER BY papers DESC, row, col
LIMIT $limit
