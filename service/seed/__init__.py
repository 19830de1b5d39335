"""Seed data for a demo install: departments, users, clients and vehicles."""
