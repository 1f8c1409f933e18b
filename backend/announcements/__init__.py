"""Announcements staff publish for a time window, shown by the dApp and in an Atom feed."""
