// name: portfolio_coverage
// description: Per entity (of type; "" = all): publications, and how many of them are linked to a funded award, in the year range; least-covered of the most-studied first.
// param type: string = ""
// param min_year: int = 0
// param max_year: int = 9999
// param limit: int = 50
// returns: id, name, type, papers, funded_papers
MATCH (p:Publication)-[:MENTIONS]->(e:Entity)
WHERE ($type = "" OR e.type = $type) AND coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
RETURN e.id AS id, e.name AS name, e.type AS type, count(DISTINCT p) AS papers,
       count(DISTINCT CASE WHEN p.funded THEN p.pmid END) AS funded_papers
ORDER BY papers DESC, funded_papers, id
LIMIT $limit
