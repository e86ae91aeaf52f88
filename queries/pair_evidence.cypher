// name: pair_evidence
// description: Publications that mention both a and b, with the sentence backing each; same-sentence evidence first; skip/limit page through them all.
// param a: string = ""
// param b: string = ""
// param skip: int = 0
// param limit: int = 50
// returns: pmid, year, title, sentence, other_sentence, same_sentence
MATCH (x:Entity {id: $a})<-[m1:MENTIONS]-(p:Publication)-[m2:MENTIONS]->(y:Entity {id: $b})
WITH p, m1, m2, (m1.sentence_index >= 0 AND m1.sentence_index = m2.sentence_index) AS same_sentence
RETURN p.pmid AS pmid, p.year AS year, p.title AS title, m1.sentence AS sentence, m2.sentence AS other_sentence,
       same_sentence
ORDER BY same_sentence DESC, year DESC, pmid
SKIP $skip
LIMIT $limit
