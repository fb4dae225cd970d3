"""Shared, domain-free building blocks. Imports no domain."""
