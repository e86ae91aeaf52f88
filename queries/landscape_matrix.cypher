// name: landscape_matrix
// description: Publications mentioning both a row_type and a col_type entity, per (row, col) cell, in the year range (from the per-year CO_OCCURS_IN counts); the densest limit cells.
// param row_type: string = "Mechanism"
// param col_type: string = "Compound"
// param min_year: int = 0
// param max_year: int = 9999
// param limit: int = 400
// returns: row, row_name, col, col_name, papers
MATCH (r:Entity)-[c:CO_OCCURS_IN]-(x:Entity)
WHERE r.type = $row_type AND x.type = $col_type
WITH r, x, c
WHERE c.year >= $min_year AND c.year <= $max_year
WITH r, x, sum(c.papers) AS papers
RETURN r.id AS row, r.name AS row_name, x.id AS col, x.name AS col_name, papers
ORDER BY papers DESC, row, col
LIMIT $limit
