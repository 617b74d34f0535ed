"""Workbooks and CSV in, validated, written all or nothing; new books."""
