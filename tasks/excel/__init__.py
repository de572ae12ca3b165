"""Excel import and export of a campaign's task list, in the annex's own layout."""
