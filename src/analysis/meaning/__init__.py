"""What a figure means: measures, windows, scopes, comparability, vocabularies."""
