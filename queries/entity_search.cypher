// name: entity_search
// description: Entities whose name or synonym contains q, or whose id is q (case-insensitive). Exact id/name/synonym matches come first, then prefix matches, then the rest, each most-studied first, so "NfL" finds neurofilament light chain before "inflammation". (The match kind is computed with OPTIONAL MATCHes because LadybugDB 0.22 mis-evaluates list predicates in a projection.)
// param q: string = ""
// param types: list = []
// param limit: int = 25
// returns: id, name, type, papers, match_kind
WITH toLower($q) AS q
MATCH (e:Entity)
WHERE (size($types) = 0 OR e.type IN $types)
  AND (q = "" OR toLower(e.id) = q OR toLower(e.name) CONTAINS q OR any(s IN e.synonyms WHERE toLower(s) CONTAINS q))
OPTIONAL MATCH (exact:Entity)
WHERE exact.id = e.id AND (toLower(e.id) = q OR toLower(e.name) = q OR any(s1 IN exact.synonyms WHERE toLower(s1) = q))
OPTIONAL MATCH (prefix:Entity)
WHERE prefix.id = e.id AND (toLower(e.name) STARTS WITH q OR any(s2 IN prefix.synonyms WHERE toLower(s2) STARTS WITH q))
WITH e, q, exact IS NOT NULL AS is_exact, prefix IS NOT NULL AS is_prefix
RETURN e.id AS id, e.name AS name, e.type AS type, e.papers AS papers,
  CASE WHEN q = "" THEN "all" WHEN is_exact THEN "exact" WHEN is_prefix THEN "prefix" ELSE "contains" END AS match_kind
ORDER BY CASE WHEN q = "" THEN 1 WHEN is_exact THEN 0 WHEN is_prefix THEN 1 ELSE 2 END, papers DESC, id
LIMIT $limit
