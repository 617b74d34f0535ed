"""The report's own arithmetic, policy rules, targets and the audit of the source text."""
