"""Canned replies: texts agents insert by short code."""
