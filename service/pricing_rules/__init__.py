"""Pricing rules, client groups and currency rates kept in the operational database."""
