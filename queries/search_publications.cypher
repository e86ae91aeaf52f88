// name: search_publications
// description: Publications whose title or abstract contains q (case-insensitive substring), newest first.
// param q: string = ""
// param min_year: int = 0
// param max_year: int = 9999
// param limit: int = 20
// returns: pmid, title, year, snippet
MATCH (p:Publication)
WHERE p.search_text CONTAINS toLower($q)
  AND coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
RETURN p.pmid AS pmid, p.title AS title, p.year AS year, left(p.abstract, 240) AS snippet
ORDER BY year DESC, pmid
LIMIT $limit
