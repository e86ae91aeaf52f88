// name: publication_authors
// description: Authors of one publication in byline order.
// param pmid: string = ""
// returns: position, id, name, last_author
MATCH (a:Author)-[r:AUTHORED]->(p:Publication {pmid: $pmid})
RETURN r.position AS position, a.id AS id, a.name AS name, r.last_author AS last_author
ORDER BY position, id
