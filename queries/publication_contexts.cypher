// name: publication_contexts
// description: The study context of the publications pmids ([] = every publication): design, evidence levels, organisms, in vitro, models and MS population, for evidence pyramids, badges and translational gaps.
// param pmids: list = []
// returns: pmid, year, design, evidence_levels, organisms, in_vitro, models, ms_population
MATCH (p:Publication)
WITH p, $pmids AS pmids
WHERE size(pmids) = 0 OR p.pmid IN pmids
RETURN p.pmid AS pmid, p.year AS year, p.design AS design, coalesce(p.evidence_levels, []) AS evidence_levels,
       coalesce(p.organisms, []) AS organisms, p.in_vitro AS in_vitro, coalesce(p.models, []) AS models, coalesce(p.ms_population, []) AS ms_population
ORDER BY pmid
