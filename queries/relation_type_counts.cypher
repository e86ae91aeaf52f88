// name: relation_type_counts
// description: The relation types of the graph's typed relations (RELATES), with how many entity pairs and papers each has, most linked first: the choices of a relation-type filter.
// returns: relation, links, papers
MATCH (:Entity)-[r:RELATES]->(:Entity)
RETURN r.type AS relation, count(*) AS links, sum(r.papers) AS papers
ORDER BY links DESC, relation
