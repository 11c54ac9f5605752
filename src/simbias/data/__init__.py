"""Dataset generators, registered by kind; each module is imported on first use."""
