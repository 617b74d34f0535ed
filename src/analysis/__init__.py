"""Civil-affairs policy book: structured, checked figures from municipal work reports."""

__version__ = "0.1.0"
