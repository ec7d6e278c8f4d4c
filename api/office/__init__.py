"""The office's own records: the cases and supervisions it knows of, per unit or municipality."""
