"""Follow-up actions from incidents, tracked until they are done (or consciously not done)."""
