"""Compiled patterns for the study context: cue features for the linear model, and rules for what labels can't give.

Why patterns: the context must cost well under 0.4 ms per abstract (issue 18: < 10 % of the pipeline), so the
text is scanned once per pattern set with a single compiled alternation of named groups; ``finditer`` reports
which group matched.  Cues are features, not verdicts: the linear model (:mod:`nlp.context_model`) learns
what "mice" in a clinical abstract weighs.  Disease models and MS forms have no MeSH check tag to learn from,
so they are rules: a form counts when the title names it, or the abstract names it outside its first sentence
(the background sentence that says "unlike relapsing MS, progressive MS…") or more than once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nlp.textnorm import word_characters
from nlp.wordmatch import WordAutomata

# Phrases are matched as whole words after punctuation becomes space ("double-blind" = "double blind"); a
# phrase ending in "*" matches as a word prefix ("randomi*": randomised, randomized, randomisation).
_CUES = {
    "randomised": "randomi* | randomly assigned | randomly allocated",
    "placebo": "placebo* | sham",
    "blinded": "double blind* | single blind* | triple blind* | rater blinded | assessor blinded | masked",
    "phase": "phase 1 | phase 2 | phase 3 | phase 4 | phase i | phase ii | phase iii | phase iv | phase 1b | phase 2a"
    " | phase 2b | phase ib | phase iia | phase iib",
    "open_label": "open label",
    "trial": "trial | trials",
    "extension": "extension study | extension phase | extension period | long term extension",
    "post_hoc": "post hoc | secondary analysis | secondary analyses | exploratory analysis",
    "single_arm": "single arm | non randomi* | nonrandomi* | pilot study | feasibility | dose escalation"
    " | first in human",
    "treated": "were treated | received | enrolled | tolerability | adverse event | adverse events",
    "systematic": "systematic review* | systematically review* | systematic search* | systematic literature"
    " | meta analys* | metaanalys* | prisma | pooled analys*",
    "review": "review | overview | we discuss | we summari* | we highlight | we review | this review",
    "recent_advances": "recent advances | recent progress | recent developments | recent findings"
    " | recent insights | current knowledge | current understanding | current evidence",
    "perspective": "perspective* | consensus | guideline* | recommendation* | position paper | expert opinion"
    " | expert panel | viewpoint",
    "case_report": "case report* | case series | we report a | we report an | we describe a | we present a"
    " | we present an | we report two | the case of | year old man | year old woman | year old male"
    " | year old female | year old boy | year old girl | year old patient",
    "cohort": "cohort* | retrospective* | prospective* | cross sectional | case control | registry | registries"
    " | longitudinal* | population based | observational | follow up",
    "survey": "survey* | questionnaire* | interview*",
    "participants": "patients | participants | subjects | individuals | people with | pwms | healthy controls"
    " | volunteers",
    "imaging": "mri | magnetic resonance | optical coherence | oct | pet | tomograph*",
    "tissue": "post mortem | postmortem | autopsy | brain bank | biops* | csf | cerebrospinal fluid | serum"
    " | plasma | blood",
    "mendelian": "mendelian randomi*",
    "genetic": "genome wide | gwas | polygenic | genetic association | susceptibility loci"
    " | susceptibility variants | susceptibility genes | single nucleotide polymorphism* | snp | snps | genotyp*",
    "in_silico": "bioinformatic* | in silico | publicly available | gene expression omnibus | geo | computational"
    " | simulation* | machine learning | deep learning | network analysis | docking"
    " | differentially expressed genes | hub genes",
    "mice": "mice | mouse | murine",
    "rats": "rat | rats",
    "primate": "primate | primates | macaque* | marmoset* | monkey* | rhesus",
    "other_animal": "zebrafish | drosophila | dog | dogs | canine | pig | pigs | porcine | sheep | xenopus"
    " | c elegans | caenorhabditis | rabbit | rabbits | guinea pig* | cat | cats | feline | chicken* | hamster*"
    " | ferret* | cattle | cow | cows | horse | horses | equine",
    "animal_model": "animal model* | in vivo | knockout | knock out | transgenic | wild type | wt | littermates"
    " | immuni* | induced eae | induced demyelination",
    "in_vitro": "in vitro | cultured | culture | cultures | cell line* | organoid* | coculture* | co culture*"
    " | ipsc* | induced pluripotent | hek293 | hek 293 | pc12 | sh sy5y | bv2 | bv 2 | oli neu | organotypic"
    " | opcs",
    "human_cells": "human cells | human neurons | human astrocytes | human microglia | human oligodendrocytes"
    " | human monocytes | human macrophages | human lymphocytes | human t cells | human b cells | human brain"
    " | human tissue | pbmc | pbmcs | peripheral blood mononuclear",
    "ms": "multiple sclerosis | ms | pwms | demyelinat*",
    "progressive": "progressive multiple sclerosis | progressive ms | primary progressive | secondary progressive"
    " | ppms | spms",
}

# Abbreviation-like phrases (EAE, MS, CIS) match case-sensitively, as in the gazetteer.
_MODELS = {
    "EAE": "EAE | autoimmune encephalomyelitis | experimental allergic encephalomyelitis | MOG induced"
    " | MBP induced | PLP induced | 2D2 mice",
    "cuprizone": "cuprizone | CPZ",
    "lysolecithin": "lysolecithin | lysophosphatidylcholine | LPC",
    "TMEV": "Theiler* | TMEV",
    "other_demyelination_model": "ethidium bromide | diphtheria toxin | JHMV | JHM | mouse hepatitis virus | shiverer",
    # Descriptions, not names: a demyelination model other than the named ones only when none of those is named.
    "unnamed": "toxin induced demyelination | demyelinating model* | demyelinating animal model*"
    " | focal demyelination | toxic demyelination | chemically induced demyelination | experimental demyelination"
    " | animal model of demyelination | animal models of demyelination",
}

_FORMS = {
    "PPMS": "primary progressive | PPMS | PP MS",
    "SPMS": "secondary progressive | SPMS | SP MS | aSPMS",
    "progressive": "progressive multiple sclerosis | progressive MS | progressive form* | progressive disease course"
    " | progressive phenotype* | PMS | progressive onset",
    "RRMS": "relapsing remitting | RRMS | RR MS | RMS | relapsing MS | relapsing multiple sclerosis | relapsing forms",
    "CIS": "clinically isolated syndrome | CIS",
    "RIS": "radiologically isolated syndrome | RIS",
    "pediatric": "pediatric* | paediatric* | children | adolescent* | juvenile | childhood | POMS",
    "MS": "multiple sclerosis | MS | PwMS | pwMS",
    # Masks the names found where it starts: "the Isfahan Multiple Sclerosis Center" is where patients were seen,
    # not what they have.
    "institution": "multiple sclerosis center | multiple sclerosis centre | multiple sclerosis clinic"
    " | multiple sclerosis society | multiple sclerosis foundation | multiple sclerosis unit | MS center | MS centre"
    " | MS clinic | MS society | MS unit",
}


class PhraseMatcher:
    """Every (name, start) of the named phrases in a text, through :class:`nlp.wordmatch.WordAutomata`.

    A phrase listed under two names counts for the last ("pwms": the "ms" cue, not "participants"), which is what
    the context model was trained on; with ``every_name`` it counts for each of them.
    """

    def __init__(self, phrases: dict[str, str], every_name: bool = False) -> None:
        self.names = tuple(phrases)
        self._every = every_name
        self._automata = WordAutomata(
            (
                (word_characters(phrase.rstrip("*")), 1 << index if every_name else index, phrase.endswith("*"))
                for index, alternatives in enumerate(phrases.values())
                for phrase in (p.strip() for p in alternatives.split("|"))
            ),
            combine=(lambda first, last: first | last) if every_name else (lambda _first, last: last),
        )

    def find(self, text: str) -> list[tuple[str, int]]:
        if not self._every:
            return [(self.names[index], start) for start, _, index in self._automata.hits(text)]
        return [
            (name, start)
            for start, _, bits in self._automata.hits(text)
            for index, name in enumerate(self.names)
            if bits >> index & 1
        ]


CUE_NAMES = tuple(_CUES)
_CUE_MATCHER = PhraseMatcher(_CUES)
_MODEL_MATCHER = PhraseMatcher(_MODELS)
_FORM_MATCHER = PhraseMatcher(_FORMS)
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z])")
_BACKGROUND_LABEL = re.compile(r"\s*(?:BACKGROUND|INTRODUCTION|CONTEXT|RATIONALE|Background|Introduction|Context)\s*:")
#: The label of the paragraph after the background: upper case ("OBJECTIVE:", "MATERIALS AND METHODS:") or one of
#: the usual title-case labels.
_NEXT_LABEL = re.compile(
    r"(?<![^\s.])(?:[A-Z][A-Z ,/&-]{2,60}|Objectives?|Aims?|Purpose|Methods?|Design|Setting|Participants|Patients"
    r"|Results|Findings|Conclusions?|Discussion)\s*:\s"
)
#: A sentence stating the study's own aim or design (in a background paragraph, it names the population studied).
_AIM = re.compile(
    r"\b(?:aims?|aimed|objectives?|purpose|goal|hypothesi[sz]ed|this study|the (?:current|present) study|"
    r"herein|here,? we|we (?:aimed|sought|investigated|evaluated|assessed|examined|explored|compared|studied|"
    r"analy[sz]ed|report|describe|present|conducted|performed|propose|hypothesi[sz]ed))\b",
    re.I,
)
#: Headings journals give reviews: Current Opinion's "Purpose of review", the Expert Review journals' "Areas
#: covered" / "Expert opinion", Revista de Neurologia's "Development" (INTRODUCTION / DEVELOPMENT / CONCLUSIONS).
_REVIEW_HEADINGS = re.compile(
    r"\b(?:purpose of review|areas covered|expert opinion|expert commentary|development)\s*:", re.I
)
_SELF_REVIEW = re.compile(
    r"\b(?:this|the present|the current|our) (?:narrative |mini-?|brief |short |comprehensive |critical |focused )?"
    r"review\b|\bthis (?:article|paper|chapter) (?:reviews|summari[sz]es|provides an overview)\b"
    r"|\bin this (?:article|paper), we review\b",
    re.I,
)


def cues(text: str) -> dict[str, int]:
    """How often each cue occurs in ``text`` (cues that do not occur are absent)."""
    counts: dict[str, int] = {}
    for name, _ in _CUE_MATCHER.find(text):
        counts[name] = counts.get(name, 0) + 1
    return counts


def background(abstract: str) -> tuple[list[tuple[int, int]], bool]:
    """The spans of the abstract that are background, and whether a label says where the background is.

    A structured abstract that opens with a BACKGROUND / INTRODUCTION / CONTEXT / RATIONALE paragraph has that
    paragraph as background (up to the next label: OBJECTIVE, METHODS, …), except its sentences that state the
    study's own aim ("our aim was to evaluate … in RRMS patients", "the current study aimed to", "herein we"):
    those name the population.  "BACKGROUND AND PURPOSE" paragraphs and unlabelled abstracts keep their first
    sentence as background.
    """
    labelled = _BACKGROUND_LABEL.match(abstract)
    following = _NEXT_LABEL.search(abstract, labelled.end()) if labelled else None
    if labelled and following:
        spans, start = [], 0
        for end in [m.end() for m in _SENTENCE_END.finditer(abstract, 0, following.start())] + [following.start()]:
            if not _AIM.search(abstract, start, end):
                spans.append((start, end))
            start = end
        return spans, True
    first = _SENTENCE_END.search(abstract)
    return [(0, first.end() if first else 0)], False


def opening_background(abstract: str) -> int:
    """Where the abstract's opening sentence ends when it is background (0 when it states the study's own aim or
    is the only sentence): "Clinical trials showed…" there is what others did."""
    first = _SENTENCE_END.search(abstract)
    if first is None or _AIM.search(abstract, 0, first.end()):
        return 0
    return first.end()


def _unmasked(hits: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The hits not starting where an ``institution`` starts ("MS Center"), institutions left out."""
    masked = {start for name, start in hits if name == "institution"}
    return [(name, start) for name, start in hits if start not in masked]


def _named(matcher: PhraseMatcher, title: str, abstract: str) -> set[str]:
    """Names found in the title, or in the abstract outside its background, or (unlabelled background: its first
    sentence) twice in the abstract.  A labelled background never counts, however often it names something: it
    says what others found."""
    found = {name for name, _ in _unmasked(matcher.find(title))}
    background_spans, labelled = background(abstract)
    seen: set[str] = set()
    for name, start in sorted(_unmasked(matcher.find(abstract)), key=lambda m: m[1]):
        inside = any(low <= start < high for low, high in background_spans)
        if not inside or (name in seen and not labelled):
            found.add(name)
        seen.add(name)
    return found


def says_review(abstract: str) -> bool:
    """Whether the abstract declares itself a narrative review: the headings journals give reviews ("Purpose of
    review" in Current Opinion, "Areas covered" / "Expert opinion" in the Expert Review journals, "Development" in
    Revista de Neurologia), or a sentence
    naming itself ("this review", "this narrative review", "this article reviews", "in this paper, we review")."""
    return _REVIEW_HEADINGS.search(abstract) is not None or _SELF_REVIEW.search(abstract) is not None


def disease_models(title: str, abstract: str) -> frozenset[str]:
    """Demyelination and autoimmunity models the paper names as its own (same rule as MS forms); a model it only
    describes ("experimental demyelination") is ``other_demyelination_model`` when it names none."""
    found = _named(_MODEL_MATCHER, title, abstract)
    if "unnamed" in found:
        found.discard("unnamed")
        found = found or {"other_demyelination_model"}
    return frozenset(found)


def ms_forms(title: str, abstract: str, people_with_ms: bool, hints: Iterable[str] = ()) -> frozenset[str]:
    """The MS forms of the study population; empty when people with MS are not the population.

    ``people_with_ms`` says whether the paper studies people (or their tissue) with MS at all, which the
    caller knows from the design; ``hints`` are forms the record's MeSH headings name.  "Progressive MS" is
    ``progressive_unspecified`` only when neither PPMS nor SPMS is named; MS named with no form is
    ``MS_unspecified``.
    """
    names = _named(_FORM_MATCHER, title, abstract) | set(hints)
    if not people_with_ms or not names & {"MS", "PPMS", "SPMS", "progressive", "RRMS", "CIS", "RIS"}:
        return frozenset()
    forms = names & {"PPMS", "SPMS", "RRMS", "CIS", "RIS", "pediatric"}
    if "progressive" in names and not forms & {"PPMS", "SPMS"}:
        forms.add("progressive_unspecified")
    if not forms - {"pediatric"}:
        forms.add("MS_unspecified")
    return frozenset(forms)
