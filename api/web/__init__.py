"""The web pages for the county governor's office (Norwegian, server-rendered, no JavaScript)."""
