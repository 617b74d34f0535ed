"""`python -m analysis` is the same as the `policybook` command."""

from analysis.cli import main

main()
