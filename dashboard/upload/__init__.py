"""Uploads: checking and committing a file (``work.py``), its annotated copy (``annotate.py``), the page's
steps (``steps.py``), and the history with rollback (``history.py``); only steps.py and history.py draw."""
