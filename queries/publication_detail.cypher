// name: publication_detail
// description: One publication's record.
// param pmid: string = ""
// returns: pmid, title, abstract, year, pub_date, journal, doi, has_abstract, funded
MATCH (p:Publication {pmid: $pmid})
RETURN p.pmid AS pmid, p.title AS title, p.abstract AS abstract, p.year AS year, p.pub_date AS pub_date,
       p.journal AS journal, p.doi AS doi, p.has_abstract AS has_abstract, p.funded AS funded
