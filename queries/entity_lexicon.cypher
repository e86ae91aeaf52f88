// name: entity_lexicon
// description: Names and synonyms of every entity with at least min_papers publications, to find entities named in free text (a programme's stated focus).
// param min_papers: int = 1
// returns: id, name, type, papers, synonyms
MATCH (e:Entity)
WHERE e.papers >= $min_papers
RETURN e.id AS id, e.name AS name, e.type AS type, e.papers AS papers, coalesce(e.synonyms, []) AS synonyms
ORDER BY papers DESC, id
