// name: entity_detail
// description: One entity with its ontology category, synonyms and publication span.
// param id: string = ""
// returns: id, name, type, biolink, kind, synonyms, papers, first_year, last_year
MATCH (e:Entity {id: $id})
RETURN e.id AS id, e.name AS name, e.type AS type, e.biolink AS biolink, e.kind AS kind, coalesce(e.synonyms, []) AS synonyms,
       e.papers AS papers, e.first_year AS first_year, e.last_year AS last_year
