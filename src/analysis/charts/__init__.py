"""Charts from meaning: the house style, colours, chart builders."""
