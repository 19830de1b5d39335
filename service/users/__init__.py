"""Users, roles, departments and sign-in (page sessions and API tokens)."""
