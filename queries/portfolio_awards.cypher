// name: portfolio_awards
// description: The funder's awards (of a programme; "" = all) with their stated focus (title), principal investigators, institutions and amount; how many PMIDs/DOIs/grant numbers the portfolio names for each (named_links), how many publications are linked to it, and how many papers in the graph have an author with a PI's name and initials (pi_publications: a hint, not a funding link).
// param programme: string = ""
// returns: id, title, programme, programme_name, funder, pis, institutions, countries, amount, currency, start_date, end_date, named_links, publications, pi_publications
MATCH (a:Award)
OPTIONAL MATCH (a)-[:PART_OF]->(g:Programme)
WITH a, g
WHERE $programme = "" OR g.id = $programme
OPTIONAL MATCH (p:Publication)-[:FUNDED_BY]->(a)
WITH a, g, count(DISTINCT p) AS publications
OPTIONAL MATCH (pi:Author)-[:AUTHORED]->(q:Publication)
WHERE pi.id IN a.pi_ids
RETURN a.id AS id, a.title AS title, g.id AS programme, g.name AS programme_name, a.funder AS funder,
       coalesce(a.pis, []) AS pis, coalesce(a.institutions, []) AS institutions, coalesce(a.countries, []) AS countries,
       a.amount AS amount, a.currency AS currency, a.start_date AS start_date, a.end_date AS end_date,
       coalesce(a.named_links, 0) AS named_links, publications, count(DISTINCT q) AS pi_publications
ORDER BY programme, id
