"""One writer per output format; each renders the book model into files in memory."""
