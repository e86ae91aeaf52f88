// name: evidence_publications
// description: Publications counted under any of levels (rct, other_trial, observational, preclinical_in_vivo, in_vitro, review, other; [] = all) whose MS population includes any of forms ([] = any), in the year range, newest first, with their study context.
// param levels: list = []
// param forms: list = []
// param min_year: int = 0
// param max_year: int = 9999
// param limit: int = 50
// returns: pmid, year, title, design, evidence_levels, organisms, in_vitro, models, ms_population
MATCH (p:Publication)
WHERE coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
WITH p, $levels AS levels, $forms AS forms
WHERE (size(levels) = 0 OR any(l IN p.evidence_levels WHERE l IN levels))
  AND (size(forms) = 0 OR any(f IN p.ms_population WHERE f IN forms))
RETURN p.pmid AS pmid, p.year AS year, p.title AS title, p.design AS design, coalesce(p.evidence_levels, []) AS evidence_levels,
       coalesce(p.organisms, []) AS organisms, p.in_vitro AS in_vitro, coalesce(p.models, []) AS models, coalesce(p.ms_population, []) AS ms_population
ORDER BY coalesce(year, 0) DESC, pmid
LIMIT $limit
