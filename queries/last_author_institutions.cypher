// name: last_author_institutions
// description: Institution of each publication's last author, for counting independent groups.
// returns: pmid, institution
MATCH (a:Author)-[r:AUTHORED]->(p:Publication)
WHERE r.last_author
MATCH (a)-[:AFFILIATED_WITH]->(i:Institution)
RETURN p.pmid AS pmid, min(i.id) AS institution
ORDER BY pmid
