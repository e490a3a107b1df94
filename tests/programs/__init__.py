"""Real PyTorch programs, ported by changing their imports (see SOURCES.md)."""
