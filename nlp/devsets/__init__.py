"""Hand-annotated evaluation sets (gold mentions) for the NLP stage."""
