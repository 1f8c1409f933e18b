"""The help center: articles staff write in Markdown, published for everyone, searchable."""
