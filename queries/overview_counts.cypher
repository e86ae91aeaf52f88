// name: overview_counts
// description: Headline numbers of the loaded graph (entities: those publications mention, not the broader classes of the hierarchy).
// returns: publications, funded_publications, first_year, last_year, entities, authors, co_occurrences
OPTIONAL MATCH (p:Publication)
WITH count(p) AS publications, count(CASE WHEN p.funded THEN 1 END) AS funded_publications,
     min(p.year) AS first_year, max(p.year) AS last_year
OPTIONAL MATCH (e:Entity)
WHERE e.papers > 0
WITH publications, funded_publications, first_year, last_year, count(e) AS entities
OPTIONAL MATCH (a:Author)
WITH publications, funded_publications, first_year, last_year, entities, count(a) AS authors
OPTIONAL MATCH (:Entity)-[c:CO_OCCURS]->(:Entity)
RETURN publications, funded_publications, first_year, last_year, entities, authors, count(c) AS co_occurrences
