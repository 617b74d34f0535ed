"""The Sphinx side: extension, navigation, the search page's index."""
