// name: publications_per_year
// description: Publications per publication year (undated ones as year 0), to show how the corpus spreads over time.
// returns: year, papers
MATCH (p:Publication)
RETURN coalesce(p.year, 0) AS year, count(p) AS papers
ORDER BY year
