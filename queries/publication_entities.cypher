// name: publication_entities
// description: Entities one publication mentions, with how often, where, and the best evidence sentence.
// param pmid: string = ""
// returns: id, name, type, count, sections, sentence
MATCH (p:Publication {pmid: $pmid})-[m:MENTIONS]->(e:Entity)
RETURN e.id AS id, e.name AS name, e.type AS type, m.count AS count, m.sections AS sections, m.sentence AS sentence
ORDER BY type, id
