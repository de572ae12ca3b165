"""Progress reports: see the progress-reporting issue."""
