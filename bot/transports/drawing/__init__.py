"""Pictures: drawn from the engine's picture specs, away from the conversation."""
