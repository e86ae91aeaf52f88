// name: portfolio_programmes
// description: The funder's programmes (funding rounds) with their stated focus, how many awards each lists and how many publications those awards are linked to.
// returns: id, name, funder, year, focus, awards, publications
MATCH (g:Programme)
OPTIONAL MATCH (a:Award)-[:PART_OF]->(g)
OPTIONAL MATCH (p:Publication)-[:FUNDED_BY]->(a)
RETURN g.id AS id, g.name AS name, g.funder AS funder, g.year AS year, g.description AS focus,
       count(DISTINCT a) AS awards, count(DISTINCT p) AS publications
ORDER BY coalesce(year, 9999), id
