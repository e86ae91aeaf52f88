"""`gapmap nlp` commands: train and evaluate the NER model, the study-context model and the relation extractor."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from core.errors import GapmapError
from gapmap.runtime import console, progress, say

if TYPE_CHECKING:
    from nlp.evaluate import Annotator

app = typer.Typer(help="Entity extraction model: train and evaluate.", no_args_is_help=True)

#: ``--data``: the shared data folder, default the settings' (``GAPMAP_SHARED_DATA``).
SharedData = Annotated[
    Path | None,
    typer.Option("--data", help="Shared data folder with the corpora (default $GAPMAP_SHARED_DATA or ../shared/data)."),
]
#: ``--limit`` of the training commands.
TrainLimit = Annotated[
    int | None, typer.Option("--limit", min=1, help="Read at most N documents per training corpus (smoke runs).")
]


def _shared_data(data: Path | None) -> Path:
    from core.settings import settings

    return data or settings().shared_data


def _training_data(data: Path | None) -> Path:
    """The shared data folder with the training corpora (``--data``, else the settings'); it must exist."""
    data_dir = _shared_data(data)
    if not data_dir.is_dir():
        raise GapmapError(f"{data_dir}: shared data folder not found", "pass --data or set GAPMAP_SHARED_DATA")
    return data_dir


@app.command("train")
def train_command(
    output: Annotated[
        Path | None, typer.Option("--output", help="Where to install the trained pipeline (default: nlp/model).")
    ] = None,
    max_steps: Annotated[
        int | None, typer.Option("--max-steps", min=1, help="Training steps (default: config.cfg's).")
    ] = None,
    limit: TrainLimit = None,
    data: SharedData = None,
    threads: Annotated[int, typer.Option("--threads", min=1, help="CPU threads for training.")] = 2,
    workdir: Annotated[
        Path | None,
        typer.Option("--workdir", help="Keep the converted corpus and checkpoints here (default: a temp folder)."),
    ] = None,
    distill: Annotated[
        bool, typer.Option("--distill/--no-distill", help="Train a teacher and learn from its silver labels too.")
    ] = True,
) -> None:
    """Train the NER model on BC5CDR, BioRED and NCBI-disease train splits (dev splits held out)."""
    from nlp.ner_model import MODEL_DIR
    from nlp.training.train import train_model

    data_dir = _training_data(data)
    report = train_model(
        data_dir,
        output or MODEL_DIR,
        max_steps=max_steps,
        limit=limit,
        threads=threads,
        workdir=workdir,
        distill=distill,
    )
    best = report.validation_scores.get("ents_f", 0.0)
    say(
        "trained",
        f"{report.train_docs} docs, {report.max_steps} steps in {report.seconds:.0f} s; "
        f"validation F1 {best:.3f}; model in {report.output}",
        "green",
    )


@app.command("eval")
def eval_command(
    corpus: Annotated[Path, typer.Option("--corpus", help="PubTator file (plain or .gz) with gold mentions.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    model: Annotated[Path | None, typer.Option("--model", help="NER model folder (default: nlp/model).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Evaluate the first N documents.")] = None,
    model_only: Annotated[
        bool, typer.Option("--model-only", help="Evaluate the bare NER model, not the full pipeline.")
    ] = False,
    errors: Annotated[
        Path | None,
        typer.Option("--errors", help="Write every strict false positive and false negative, with context (JSONL)."),
    ] = None,
) -> None:
    """Strict, lenient and document-concept precision / recall / F1 per gold type on a PubTator corpus.

    By default the full extraction pipeline (model + gazetteers + abbreviations + linker) is scored, so concept
    ids are predicted too; ``--model-only`` scores the statistical model alone.
    """
    from nlp.evaluate import evaluate
    from nlp.ner_model import MODEL_DIR, PredictedSpan
    from nlp.pubtator import read_pubtator

    docs = list(islice(read_pubtator(corpus), limit))
    if not docs:
        raise GapmapError(f"{corpus}: no PubTator documents in it", "pass a PubTator file with title/abstract lines")
    annotator = _annotator(model or MODEL_DIR, model_only)  # loads everything before the progress bar

    with progress(transient=True) as bar:
        task = bar.add_task(f"annotating {corpus.name}", total=len(docs))

        def annotate(texts: Iterable[str]) -> Iterator[list[PredictedSpan]]:
            for spans in annotator(texts):
                bar.advance(task)
                yield spans

        report = evaluate(docs, annotate)
    if errors is not None:
        errors.write_text("".join(json.dumps(case.to_dict()) + "\n" for case in report.errors), encoding="utf-8")
        console.print(f"{len(report.errors)} errors written to {errors}", highlight=False)
    result = report.to_json()
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    table = Table(title=f"{corpus.name}: {len(docs)} documents (lenient = overlap; concepts = per document)")
    for column in ("type", "precision", "recall", "F1", "lenient F1", "concept F1", "support", "id accuracy"):
        table.add_column(column, justify="left" if column == "type" else "right")
    for key, row in result["by_type"].items():
        ids = result["id_accuracy"].get(key)
        table.add_row(
            key,
            f"{row['precision']:.3f}",
            f"{row['recall']:.3f}",
            f"{row['f1']:.3f}",
            f"{row['lenient']['f1']:.3f}",
            f"{row['doc_concepts']['f1']:.3f}",
            str(row["support"]),
            f"{ids['accuracy']:.3f}" if ids else "-",
        )
    overall = result["overall"]
    table.add_row(
        "overall", f"{overall['precision']:.3f}", f"{overall['recall']:.3f}", f"{overall['f1']:.3f}", "", "", "", ""
    )
    console.print(table)
    console.print(f"{result['docs_per_second']:.1f} documents/second", highlight=False)


def _annotator(model_dir: Path, model_only: bool) -> Annotator:
    """The bare model's annotator, or the full pipeline's (``nlp.pipeline``) built on the same model."""
    from nlp.ner_model import annotate_with_model, load_model

    load_model(model_dir)  # a missing model is an error either way: the evaluation would be meaningless
    if model_only:
        return lambda texts: annotate_with_model(texts, model_dir)
    from nlp.pipeline import load_pipeline

    return load_pipeline(model_dir).annotate_texts


@app.command("train-context")
def train_context_command(
    data: SharedData = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Where to write the weights (default nlp/context_model.json.gz).")
    ] = None,
) -> None:
    """Train the study-context text model on records whose publication types and MeSH give the labels."""
    from nlp.context_model import MODEL_PATH
    from nlp.context_training import labelled_records, split, train

    records = list(labelled_records(_shared_data(data)))
    if not records:
        raise GapmapError("no MeSH-indexed records with abstracts found", "pass --data or set GAPMAP_SHARED_DATA")
    training, dev = split(records)
    model = train(training)
    model.save(output or MODEL_PATH)
    say(
        "trained",
        f"on {len(training)} records ({len(dev)} held out as the dev split), "
        f"{len(model.index)} features, heads {', '.join(model.heads)}; weights in {output or MODEL_PATH}",
        style="green",
    )


@app.command("eval-context")
def eval_context_command(
    gold: Annotated[Path, typer.Option("--gold", help="JSONL: pmid, title, abstract, labels (five context fields).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score the study context's text side on a gold file (accuracy, macro- and micro-F1, docs/second)."""
    from nlp.context_classifier import ContextClassifier
    from nlp.context_eval import evaluate_context, read_gold

    report = evaluate_context(read_gold(gold), ContextClassifier.load())
    if as_json:
        typer.echo(json.dumps(report))
        return
    table = Table(title=f"{gold.name}: study context, {report['docs']} documents")
    table.add_column("field")
    table.add_column("measure")
    table.add_column("score", justify="right")
    for field, scores in report.items():
        if isinstance(scores, dict):
            for measure, value in scores.items():
                table.add_row(field, measure, f"{value:.3f}")
    console.print(table)
    console.print(f"{report['docs_per_second']} documents/second", highlight=False)


@app.command("context-agreement")
def context_agreement_command(
    data: SharedData = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """MeSH / publication types vs the text side, on the held-out dev split of the MeSH-indexed records."""
    from nlp.context_classifier import ContextClassifier
    from nlp.context_eval import agreement
    from nlp.context_training import labelled_records, split

    _, dev = split(list(labelled_records(_shared_data(data))))
    rows = agreement(dev, ContextClassifier.load())
    if as_json:
        typer.echo(json.dumps([{**vars(r), "rate": round(r.rate, 4)} for r in rows]))
        return
    table = Table(title=f"metadata vs text, {len(dev)} held-out MeSH-indexed records")
    for column in ("field", "records", "agree", "rate", "kappa / micro-F1"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for r in rows:
        table.add_row(r.field, str(r.records), str(r.agree), f"{r.rate:.3f}", f"{r.kappa_or_f1:.3f}")
    console.print(table)


@app.command("train-relations")
def train_relations_command(
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Where to write the relation model (default: nlp/relation_model)."),
    ] = None,
    data: SharedData = None,
    limit: TrainLimit = None,
) -> None:
    """Train the relation extractor on BioRED train and BC5CDR train (their dev splits held out)."""
    from nlp.relations import MODEL_DIR
    from nlp.training.relations import train_relations

    report = train_relations(_training_data(data), output or MODEL_DIR, limit=limit)
    corpora = f"{report.biored_docs} BioRED and {report.cdr_docs} BC5CDR abstracts"
    held_out = f"{report.dropped_held_out} held-out PMIDs dropped"
    say(
        "trained",
        f"on {corpora} ({held_out}), {report.features} features; thresholds {report.thresholds}; "
        f"{report.seconds:.0f} s; model in {report.output}",
        "green",
    )


@app.command("eval-relations")
def eval_relations_command(
    corpus: Annotated[Path, typer.Option("--corpus", help="PubTator file (plain or .gz) with gold relations.")],
    gold_entities: Annotated[
        bool,
        typer.Option("--gold-entities", help="Give the extractor the corpus's own entities (else gapmap's NER)."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Evaluate the first N documents.")] = None,
    relation_model: Annotated[
        Path | None, typer.Option("--relation-model", help="Relation model folder (default: nlp/relation_model).")
    ] = None,
) -> None:
    """Document-level relation precision / recall / F1 over concept-id pairs (BioRED or BC5CDR CID).

    ``pair`` ignores the type, ``pair_type`` needs it, ``novelty`` also needs BioRED's novelty flag.  Without
    ``--gold-entities`` gapmap's own NER and normalisation run end to end and ids are mapped to MeSH / NCBI Gene.
    """
    from nlp.pubtator import read_pubtator
    from nlp.relation_eval import evaluate_relations, is_cdr
    from nlp.relations import MODEL_DIR, RelationExtractor, load_relation_model

    docs = list(islice(read_pubtator(corpus), limit))
    if not docs or not any(doc.relations for doc in docs):
        raise GapmapError(f"{corpus}: no PubTator documents with relation lines", "pass BioRED or BC5CDR")
    extractor = RelationExtractor(load_relation_model(relation_model or MODEL_DIR), "cdr" if is_cdr(docs) else "biored")
    pipeline = None
    if not gold_entities:
        from nlp.pipeline import load_pipeline

        console.print("loading the NLP pipeline (compiling lexicons, about 15 s)…")
        pipeline = load_pipeline()
    with progress(transient=True) as bar:
        bar.add_task(f"extracting relations from {corpus.name}", total=None)
        report = evaluate_relations(docs, extractor, corpus=corpus.name, pipeline=pipeline)
    result = report.to_json()
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    table = Table(title=f"{corpus.name}: {len(docs)} documents, {result['mode'].replace('_', ' ')}")
    for column in ("measure", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    rows = [("pair", result["pair"]), ("pair_type", result["pair_type"])]
    rows += [("novelty", result["novelty"])] if "novelty" in result else []
    rows += [(f"  {t}", s) for t, s in result["by_type"].items()]
    for name, scores in rows:
        table.add_row(name, f"{scores['precision']:.3f}", f"{scores['recall']:.3f}", f"{scores['f1']:.3f}")
    console.print(table)
    console.print(f"{result['docs_per_second']:.1f} documents/second", highlight=False)
