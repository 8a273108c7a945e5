"""Server-rendered web pages (templates/ and static/ hold their markup, style and scripts)."""
