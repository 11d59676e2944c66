"""Components: the parts of the product incidents affect, and their current state."""
