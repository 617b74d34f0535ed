"""What a page shows: cells, trends, appendix, downloads, print editions."""
