// name: entity_evidence
// description: The evidence pyramid of entity id: publications mentioning it per evidence level in the year range (a paper can count under two levels, e.g. in vivo and in vitro), most direct evidence in people first.
// param id: string = ""
// param min_year: int = 0
// param max_year: int = 9999
// returns: level, papers
MATCH (e:Entity {id: $id})<-[:MENTIONS]-(p:Publication)
WHERE coalesce(p.year, 0) >= $min_year AND coalesce(p.year, 0) <= $max_year
UNWIND p.evidence_levels AS level
WITH level, count(DISTINCT p.pmid) AS papers
RETURN level, papers
ORDER BY CASE level WHEN 'rct' THEN 0 WHEN 'other_trial' THEN 1 WHEN 'observational' THEN 2
         WHEN 'preclinical_in_vivo' THEN 3 WHEN 'in_vitro' THEN 4 WHEN 'review' THEN 5 ELSE 6 END, level
