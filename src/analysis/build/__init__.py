"""What to execute, executing it in warm kernels, publishing the book."""

KERNEL = "policybook"  # the Jupyter kernel every notebook runs in
