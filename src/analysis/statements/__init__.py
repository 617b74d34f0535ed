"""Sentences from meaning: templates, key points, narrative."""
