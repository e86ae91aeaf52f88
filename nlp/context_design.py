"""The design a paper states about itself: the issue's definitions as rules over the model's reading.

Why rules on top of the model: the linear model (:mod:`nlp.context_model`) learnt designs from MeSH-indexed
records (dementia and oligodendrocyte biology, PubMedQA's clinical questions), where most papers tagged Humans
are observational studies.  On MS abstracts it reads as observational many papers that state their design in so
many words: a double-blind placebo-controlled trial, a case ("a 34-year-old woman presented"), a search of named
literature databases with counted inclusions, a re-analysis of GEO data sets, a commentary.  The rules say what
the definitions say, and (for trials, cases, in silico work and human material) read what the abstract states
**after its opening background sentence** (:func:`nlp.context_rules.opening_background`): "clinical trials and
open-label extensions showed…" there is what others did.  A systematic review's search is read anywhere.

One more pass of the phrase automaton over title and abstract (a few hundredths of a millisecond; the regular
expressions run only where the automaton saw a word they need); the model's cue features
(:data:`nlp.context_rules.CUE_NAMES`) stay as trained.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from nlp.context_rules import PhraseMatcher, opening_background, says_review

# Whole words, punctuation as space, "*" a word prefix (as in nlp.context_rules); one short word with capitals
# ("GEO", "DEGs", "OLE") matches with its case.  A phrase may serve several names ("expert opinion").
_RULE_CUES = {
    "randomised": "randomi* | randomly assigned | randomly allocated | randomly divided",
    "placebo": "placebo* | sham",
    "blinded": "double blind* | single blind* | triple blind* | rater blinded | assessor blinded | observer blinded"
    " | double masked",
    "trial": "trial | trials",
    "post_hoc": "post hoc | secondary analysis | secondary analyses",
    "extension": "extension study | extension studies | extension phase | extension period | long term extension"
    " | open label extension | OLE",
    "open_label": "open label",
    "treated": "were treated | received | receiving | enrolled | administered | dosed | intervention | interventions"
    " | sessions",
    "pilot": "pilot study | pilot trial | feasibility",
    "uncontrolled": "single arm | single group | non randomi* | nonrandomi* | uncontrolled | dose escalation"
    " | first in human | phase 1 | phase 2 | phase 3 | phase i | phase ii | phase iii | phase 1b | phase 2a"
    " | phase 2b | phase ib | phase iia | phase iib | phase 1 2 | phase i ii",
    "observational": "retrospective* | cohort | cohorts | cross sectional | case control | registry | registries"
    " | real world | observational | chart review | medical records | claims data | claims database",
    "systematic": "systematic review* | systematically review* | systematic search* | systematic literature"
    " | systematically searched | meta analys* | metaanalys* | prisma | scoping review",
    "databases": "pubmed | medline | embase | scopus | web of science | cochrane library | cochrane central"
    " | cochrane database | cinahl | psycinfo | google scholar | pedro | sportdiscus | lilacs",
    "inclusions": "studies were included | articles were included | trials were included | papers were included"
    " | publications were included | reports were included | studies met | articles met | included studies"
    " | eligible studies | records were screened | studies were identified | articles were identified",
    "mendelian": "mendelian randomi*",
    "gwas": "genome wide association* | gwas",
    "reanalysis": "gene expression omnibus | GEO | GEO2R | publicly available | public database* | TCGA | ArrayExpress",
    "bioinformatic": "bioinformatic* | differentially expressed gene* | DEGs | hub gene* | WGCNA"
    " | weighted gene co expression | network pharmacology | protein protein interaction | KEGG"
    " | gene set enrichment | GSEA | in silico | molecular docking | CIBERSORT",
    "economic": "cost effectiveness model* | cost effectiveness analys* | cost minimi* | budget impact"
    " | pharmacoeconomic* | pharmacological economic | markov model* | decision analytic model* | cost utility",
    "bibliometric": "bibliometric* | scientometric*",
    "narrative": "narrative review | narrative literature review",
    "review_title": "commentary | editorial | viewpoint | expert opinion | consensus statement"
    " | consensus recommendations | position paper | position statement | narrative review | mini review"
    " | minireview | literature review | review of the literature | a review | an overview | state of the art"
    " | an update | update on",
    "human_material": "human | humans | patient derived | donor | donors | post mortem | postmortem | autopsy"
    " | autopsies | biops* | brain bank | pbmc* | peripheral blood mononuclear | volunteers | healthy controls"
    " | healthy subjects | ms patients | patients with ms | patients with multiple sclerosis | people with ms"
    " | people with multiple sclerosis | ms brain* | ms lesion* | ms tissue | from patients | of patients"
    " | patients were | patient samples | induced pluripotent | ipsc* | hipsc* | placenta* | participants | adults"
    " | pwms | persons with ms | persons with multiple sclerosis | individuals with ms"
    " | individuals with multiple sclerosis",
    "in_vitro": "in vitro",
    # Words without which the regular expressions below cannot match: they run only where the automaton saw one.
    "case_hint": "year old | years old | month old | we report | we describe | we present | this report | case | cases",
    "review_hint": "review | reviews | areas covered | expert opinion | expert commentary | development | summari*"
    " | provides an overview",
    "discusses": "we review | we discuss | we summari* | we highlight | we outline | provide an overview"
    " | provide a summary | is discussed | are discussed | will be discussed | is reviewed | are reviewed"
    " | will be reviewed | is summari* | are summari* | will be summari* | are highlighted | are outlined",
}
_RULE_MATCHER = PhraseMatcher(_RULE_CUES, every_name=True)

#: The abstract describes its own case(s): "we report a case of", "here we describe two … patients",
#: "a 34-year-old woman presented", "our case", "case presentation".  Few (one to nine) people, never a sample.
_CASE = re.compile(
    r"\b(?:we|this report) (?:report|describe|present)(?: here)? (?:a|an|the|one|two|three|four|five|six|seven"
    r"|eight|nine|[1-9]) (?:[\w-]+ ){0,5}?(?:case|cases|patient|patients|man|woman|men|women|boy|girl|male"
    r"|female|child|children|infant|siblings|brothers|sisters|family|twins)\b"
    r"|\b\d+[- ](?:year|month)s?[- ]old (?:[\w-]+ ){0,2}?(?:man|woman|boy|girl|male|female|patient|child|infant)\b"
    r"|(?<!in )\b(?:our|this|the present|the current) (?:two |three )?(?:case|cases)\b"
    r"|\bcase (?:report|presentation|description|summary)\s*:",
    re.I,
)
#: Title of a case: "A man with erythematosquamous plaques", "… : a case report", "A case of …".
_CASE_TITLE = re.compile(
    r"^(?:an? (?:\d+[- ]year[- ]old )?(?:man|woman|boy|girl|patient|child) with)\b|\bcase (?:report|series)\b"
    r"|\ba (?:[\w-]+ ){0,2}case of\b",
    re.I,
)
#: Marks of an empirical study in an abstract: statistics, sample sizes, method and result labels, and the
#: verbs of doing a study ("we measured", "were enrolled", "this study").  A narrative review has none.
_EMPIRICAL = re.compile(
    r"\bp ?[<=>≤] ?\.?\d|\b\d+(?:\.\d+)? ?%|\b95 ?% ?ci\b|\bn ?= ?\d|\b(?:odds|hazard) ratio"
    r"|\b\d[\d,]* (?:participants|patients|subjects|individuals|people|persons|controls|cases|mice|rats|animals)\b"
    r"|\b(?:METHODS?|RESULTS|MATERIALS? AND METHODS|FINDINGS|DESIGN|PARTICIPANTS)\s*:"
    r"|\bwere (?:included|enrolled|recruited|randomi[sz]ed|assessed|measured|analy[sz]ed|collected|examined"
    r"|evaluated|treated|compared|followed|scanned|tested|interviewed|surveyed)\b"
    r"|\bwe (?:found|observed|measured|recruited|enrolled|included|investigated|examined|assessed|evaluated"
    r"|analy[sz]ed|compared|performed|conducted|identified|studied|tested|detected|collected|developed|find|show"
    r"|showed|investigate|identify|measure|demonstrate|demonstrated|construct|estimate|estimated)\b"
    r"|\b(?:this|the present|the current|our) (?:study|trial|cohort|survey)\b",
    re.I,
)
#: A GEO series accession ("GSE108000"): a public expression data set.
_GEO_SERIES = re.compile(r"\bGSE\d{3,}")

_READ_AS_REVIEW = frozenset({"observational", "preclinical", "in_silico", "other"})
_READ_AS_CASE = frozenset({"observational", "review", "clinical_trial_other", "other"})
_READ_AS_IN_SILICO = frozenset({"observational", "preclinical", "other"})


@dataclass(frozen=True)
class StatedCues:
    """The rule cues of a paper: those of its title, of its abstract after the opening background sentence
    (``own``) and of its whole abstract (``anywhere``), with counts."""

    title: frozenset[str]
    own: Counter[str]
    anywhere: Counter[str]
    abstract: str
    title_text: str

    def says(self, *names: str) -> bool:
        return any(n in self.title or self.own[n] for n in names)


def stated_cues(title: str, abstract: str) -> StatedCues:
    """The cues of title and abstract; ``own`` leaves out the abstract's opening background sentence."""
    opening = opening_background(abstract)
    hits = _RULE_MATCHER.find(abstract)
    own = Counter(name for name, start in hits if start >= opening)
    titled = frozenset(name for name, _ in _RULE_MATCHER.find(title))
    return StatedCues(titled, own, Counter(name for name, _ in hits), abstract, title)


def _says_review(cues: StatedCues) -> bool:
    return bool(cues.anywhere["review_hint"]) and says_review(cues.abstract)


def _systematic(cues: StatedCues) -> bool:
    """A systematic review or meta-analysis: says so in the title or twice, or searched named databases and counts
    what it included, or is a self-declared review that searched systematically."""
    found = cues.anywhere  # a review's background is the literature it searched
    if "systematic" in cues.title or found["systematic"] >= 2:
        return True
    if "narrative" in cues.title:
        return False  # a narrative review may search databases; its authors say which kind it is
    searched = found["databases"] > 0 or found["systematic"] > 0
    return (searched and found["inclusions"] > 0) or (found["systematic"] > 0 and _says_review(cues))


def _trial(design: str, cues: StatedCues) -> str:
    """RCT or other trial by the words of the definitions (only for what the model read as a study in people).

    "Randomised" in the title, randomised and placebo- or sham-controlled or blinded, a placebo-controlled blinded
    trial, a post hoc analysis of a trial or of a placebo-controlled study, or an open-label extension is an RCT.
    A trial that is open-label, single-arm, uncontrolled or phased and never says "randomised", and is not a
    cohort or registry study, is another trial; what the model read as another trial but states itself to be a
    cohort, registry or real-world study is observational.
    """
    if design not in ("rct", "clinical_trial_other", "observational"):
        return design
    if "randomised" in cues.title or (cues.says("randomised") and cues.says("placebo", "blinded")):
        return "rct"
    if cues.says("placebo") and cues.says("blinded", "trial", "post_hoc", "extension"):
        return "rct"
    if cues.says("post_hoc") and cues.says("trial"):
        return "rct"
    if cues.says("extension") and cues.says("open_label"):
        return "rct"
    stated = cues.says("open_label") or (cues.says("uncontrolled", "pilot") and cues.says("trial", "treated"))
    if stated and not cues.says("randomised", "observational"):
        return "clinical_trial_other"
    if design == "clinical_trial_other" and cues.says("observational") and not stated:
        return "observational"
    return design


def _case(cues: StatedCues) -> bool:
    if _CASE_TITLE.search(cues.title_text):
        return True
    stated = bool(cues.anywhere["case_hint"]) and _CASE.search(cues.abstract) is not None
    return stated and not cues.says("observational", "systematic", "economic")


def _in_silico(design: str, cues: StatedCues) -> bool:
    """GWAS, an economic model, a bioinformatic title, or (for what the model read as a study in people) a
    bioinformatic re-analysis of public data: an animal study analyses its own data so."""
    if cues.says("gwas") or "economic" in cues.title or cues.own["economic"] >= 2:
        return True
    if "bioinformatic" in cues.title:
        return True
    public = cues.says("reanalysis") or _GEO_SERIES.search(cues.abstract) is not None
    return design != "preclinical" and public and cues.says("bioinformatic")


def _review(cues: StatedCues) -> bool:
    """A narrative review, perspective or consensus: names itself so, has a review's title, or has a review's
    shape (discusses, with no statistics, sample sizes, method labels or verbs of doing a study)."""
    if _says_review(cues):
        return True
    if "review_title" in cues.title and not cues.title & {"observational", "trial", "randomised"}:
        return True  # "… a cohort study and review of the literature" is the cohort study
    return bool(cues.anywhere["discusses"]) and _EMPIRICAL.search(cues.abstract) is None


def design_from_text(design: str, cues: StatedCues) -> str:
    """The design the text states, given the model's reading ``design`` (used for a record whose metadata do not
    give one).  Order: what the definitions make unambiguous first (systematic reviews, bibliometrics, Mendelian
    randomisation), then trials, cases, in silico work, reviews."""
    if _systematic(cues):
        return "systematic_review"
    if cues.says("bibliometric"):
        return "other"
    if cues.says("mendelian"):
        return "in_silico"  # Mendelian randomisation randomises nobody
    design = _trial(design, cues)
    if design in _READ_AS_CASE and _case(cues):
        return "case_report"
    if design in _READ_AS_IN_SILICO and _in_silico(design, cues):
        return "in_silico"
    if design in _READ_AS_REVIEW and _review(cues):
        return "review"
    return design


def human_material(cues: StatedCues) -> bool:
    """Whether a preclinical paper studies human material of its own (cells, tissue, samples, patients)."""
    return cues.says("human_material")
