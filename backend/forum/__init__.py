"""The community forum: categories, threads, posts, moderation, bans and full-text search."""
