"""Clients (persons and companies), their phones and vehicles."""
