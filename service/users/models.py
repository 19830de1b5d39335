"""Request and answer shapes of users, departments and sign-in."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class TokenIn(BaseModel):
    """A login and password, for a bearer token."""

    login: str = Field(max_length=60)
    password: str = Field(max_length=200)
    label: str | None = Field(None, max_length=120, description="What it is for.")


class TokenOut(BaseModel):
    """A bearer token, shown once."""

    access_token: str
    token_type: str = "bearer"
    expires_at: dt.datetime


class UserOut(BaseModel):
    """A user as others see it (no password hash)."""

    login: str
    name: str
    role: str
    department: str | None
    language: str
    active: bool = True
    rights: list[str] = Field(default_factory=list)


class UserIn(BaseModel):
    """A new user."""

    login: str = Field(max_length=60)
    name: str = Field(max_length=200)
    password: str = Field(min_length=8, max_length=200)
    role: str = Field(description="`admin`, `manager` or `analyst`.")
    department: str | None = Field(None, max_length=60)
    language: str = Field("ru", description="`ru` or `en`.")


class UserChange(BaseModel):
    """Changes to a user; absent fields stay as they are."""

    name: str | None = Field(None, max_length=200)
    password: str | None = Field(None, min_length=8, max_length=200)
    role: str | None = None
    department: str | None = Field(None, max_length=60)
    language: str | None = None
    active: bool | None = None


class DepartmentIn(BaseModel):
    """A department (подразделение)."""

    code: str = Field(max_length=60)
    name: str = Field(max_length=200)
