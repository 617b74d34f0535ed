"""What to execute, executing it in warm kernels, publishing the book."""
