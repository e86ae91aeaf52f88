"""Training the statistical NER model (``gapmap nlp train``): corpus conversion, spaCy config, training run."""
