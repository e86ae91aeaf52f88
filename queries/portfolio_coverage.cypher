// name: portfolio_coverage
// description: Per entity (of type; "" = all): publications, and how many of them are linked to a funded award, in the year range; least-covered of the most-studied first (from the EntityYear aggregates).
// param type: string = ""
// param min_year: int = 0
// param max_year: int = 9999
// param limit: int = 50
// returns: id, name, type, papers, funded_papers
MATCH (s:EntityYear)
WHERE ($type = "" OR s.type = $type) AND coalesce(s.year, 0) >= $min_year AND coalesce(s.year, 0) <= $max_year
WITH s.entity AS id, sum(s.papers) AS papers, sum(s.funded_papers) AS funded_papers
ORDER BY papers DESC, funded_papers, id
LIMIT $limit
MATCH (e:Entity)
WHERE e.id = id
RETURN e.id AS id, e.name AS name, e.type AS type, papers, funded_papers
ORDER BY papers DESC, funded_papers, id
