"""Learning logic as pure functions: grading, and later scheduling and assessment scoring."""
