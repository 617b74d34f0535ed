"""The data contract: configuration, catalogue, periods and comparators, read and validated once."""
