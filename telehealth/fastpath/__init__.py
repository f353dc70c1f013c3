"""What exists only for speed: each module says what it replaces, and which bench/ script
shows why."""
