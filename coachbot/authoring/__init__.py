"""Checks for content authors: the curriculum held to what the product and its platforms need."""
