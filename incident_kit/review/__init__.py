"""Post-incident reviews: a depth the team chooses, prefilled from the record, blameless by habit."""
