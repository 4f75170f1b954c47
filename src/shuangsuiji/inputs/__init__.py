"""Reading what users bring: the plan file, the two rosters, annex tables, filled task sheets,
published records."""
